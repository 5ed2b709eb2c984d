import Foundation
import SIEMCore

/// Delivers to Elasticsearch's `_bulk` API with one `create` action per document.
///
/// Per the Bulk API reference (elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html):
/// the body is NDJSON, an action line then a source line, ending in a newline. The `_id` is the
/// registry id and the event id, so a re-sent batch cannot duplicate a document: Elasticsearch
/// answers `409` for it, which counts as delivered. A `200` answer still carries per-item
/// results: items refused with 429 or 5xx are sent again, any other refused item stops the
/// pipeline naming the event and Elasticsearch's reason.
public final class ElasticsearchSink: EventSink {
    public static let id = "elasticsearch"
    public static let summary =
        "Elasticsearch _bulk with create and stable _id (no duplicates on re-send), per-item results"

    public struct Options: PluginOptions {
        public var url = ""
        public var index = "oversight-beacons"
        public var pipeline: String?
        public var apiKey: String?
        public var username: String?
        public var password: String?
        public var maxBatchBytes = 5_000_000
        public var http = HTTPClientOptions()

        public static let specs: [OptionSpec<Options>] =
            [
                .init(
                    "url", \.url, help: "Elasticsearch base URL, e.g. https://es.example:9200", required: true,
                    check: HTTPURLRules.problem),
                .init(
                    "index", \.index, help: "index or data stream to create documents in",
                    check: { index in
                        guard
                            index.isEmpty || index != index.lowercased()
                                || index.contains(where: { " \"*\\<|,>/?#".contains($0) })
                        else { return nil }
                        return "'\(index)' is not a valid index name (lowercase, no spaces or \\/*?\"<>|,#)"
                    }),
                .init("pipeline", \.pipeline, help: "ingest pipeline to run on each document"),
                .init(
                    "api_key", \.apiKey, help: "API key (the base64 'id:key' form), by reference: ${env:ES_API_KEY}",
                    secret: true),
                .init("username", \.username, help: "basic-auth user (with password), instead of api_key"),
                .init("password", \.password, help: "basic-auth password, by reference", secret: true),
                .init(
                    "max_batch_bytes", \.maxBatchBytes, help: "largest _bulk body; larger batches are split",
                    range: 1_024...Int.max),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws {
            if apiKey != nil && username != nil {
                throw SIEMError.invalidOption(
                    key: "api_key", message: "use either api_key or username/password, not both")
            }
            if (username == nil) != (password == nil) {
                throw SIEMError.invalidOption(key: "password", message: "username and password go together")
            }
            try http.validateCombination()
        }
    }

    /// `_bulk` with a `create` action per document (the framing writes it as records are formatted).
    public static func framings(for options: Options) -> [Framing] { [.elasticsearchBulk(index: options.index)] }

    let options: Options
    let name: String
    let base: String
    let transport: HTTPTransport
    let redaction: SecretRedaction
    let authorization: String?

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        name = context.pipelineName ?? Self.id
        base = HTTPURLRules.base(options.url)
        transport = try HTTPTransport(options: options.http.resolved(in: context))
        if let apiKey = options.apiKey {
            authorization = "ApiKey " + apiKey
        } else if let user = options.username, let password = options.password {
            authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        redaction = SecretRedaction([options.apiKey, options.password, authorization].compactMap { $0 })
    }

    public var destination: String { HTTPRequest.describe(url: base) + " index \(options.index)" }

    public var maxInFlight: Int { options.http.concurrency }

    /// `GET /` answers with the cluster's name when the URL and credentials are right.
    public func start() async throws {
        let response: HTTPResponse
        do {
            response = try await transport.perform(HTTPRequest(method: "GET", url: base + "/", headers: headers()))
        } catch let failure as TransportFailure {
            throw SIEMError.delivery(
                sink: name, message: redaction.apply(failure.message), retryable: failure.isRetryable)
        }
        guard (200...299).contains(response.status) else {
            let what = response.status == 401 || response.status == 403 ? "credentials refused" : "unexpected answer"
            throw SIEMError.delivery(
                sink: name,
                message:
                    "Elasticsearch at \(HTTPRequest.describe(url: base)): \(what): HTTP \(response.status): \(redaction.apply(response.bodyExcerpt))",
                retryable: RetryPolicy.isRetryable(status: response.status))
        }
    }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let ranges = batch.chunks(maxBytes: options.maxBatchBytes)
        return try await ChunkedDelivery.send(batch, in: ranges) { try await deliver(batch, Array($0)) }
    }

    /// Sends `items` until each is created or already there; a 413 halves the request.
    private func deliver(_ batch: EncodedBatch, _ items: [Int]) async throws {
        var remaining = items
        try await options.http.retry.policy.run(sink: name) { _ -> RetryPolicy.Outcome<Void> in
            var body = batch.body(items: remaining)
            var headers = headers()
            headers.append(("Content-Type", "application/x-ndjson"))
            if options.http.compression == .gzip {
                body = Gzip.compress(body)
                headers.append(("Content-Encoding", "gzip"))
            }
            var url = base + "/_bulk"
            if let pipeline = options.pipeline { url += "?pipeline=" + PercentEncoding.escape(pipeline) }
            let request = HTTPRequest(method: "POST", url: url, headers: headers, body: body)
            let response: HTTPResponse
            switch try await HTTPAttempt.perform(request, on: transport, sink: name, redaction: redaction) {
            case .failed(let reason): return .retry(reason: reason, retryAfter: nil)
            case .answered(let answer): response = answer
            }
            if response.status == 413 && remaining.count > 1 {
                let middle = remaining.count / 2
                try await deliver(batch, Array(remaining[..<middle]))
                try await deliver(batch, Array(remaining[middle...]))
                return .done(())
            }
            guard response.status == 200 else {
                let message =
                    "HTTP \(response.status) from \(HTTPRequest.describe(url: base + "/_bulk")): \(redaction.apply(response.bodyExcerpt))"
                if RetryPolicy.isRetryable(status: response.status) {
                    return .retry(reason: message, retryAfter: RetryPolicy.retryAfter(response))
                }
                throw SIEMError.delivery(sink: name, message: message, retryable: false)
            }
            // Elasticsearch puts `"errors":false` at the top of the answer when every item succeeded
            // (as `took` and `errors` come first); then the items need no reading.
            if BulkResults.reportsNoErrors(response.body) { return .done(()) }
            let results = try BulkResults(response.body, count: remaining.count, sink: name)
            var retry: [Int] = []
            var reason = ""
            for (position, item) in results.items.enumerated() {
                switch item.status {
                case 200...299, 409:
                    continue
                case 429, 500...599:
                    retry.append(remaining[position])
                    reason = "item status \(item.status): \(item.reason)"
                default:
                    let eventID = batch.eventIDs[remaining[position]]
                    throw SIEMError.delivery(
                        sink: name,
                        message: "Elasticsearch refused event \(eventID) (status \(item.status)): \(item.reason)",
                        retryable: false)
                }
            }
            if retry.isEmpty { return .done(()) }
            remaining = retry
            return .retry(reason: "\(retry.count) item(s) not yet created, last \(reason)", retryAfter: nil)
        }
    }

    private func headers() -> [(name: String, value: String)] {
        authorization.map { [("Authorization", $0)] } ?? []
    }

    public func close() async throws {}
}

/// The per-item part of a `_bulk` answer, in request order.
struct BulkResults {
    /// Whether the answer's top-level `errors` is `false`, read from its first bytes only.
    static func reportsNoErrors(_ body: [UInt8]) -> Bool {
        let head = body.prefix(256)
        let needle = Array(#""errors":false"#.utf8)
        guard head.count >= needle.count else { return false }
        let start = head.startIndex
        for i in start...(head.endIndex - needle.count) where head[i] == needle[0] {
            if head[i..<(i + needle.count)].elementsEqual(needle) {
                // Only at the top level: nothing but `{"took":N,` may come before it.
                return !head[start..<i].contains(UInt8(ascii: "["))
            }
        }
        return false
    }

    struct Item {
        var status: Int
        var reason: String
    }
    var items: [Item]

    init(_ body: [UInt8], count: Int, sink: String) throws {
        guard let answer = try? JSONParser.parse(String(decoding: body, as: UTF8.self)),
            case .array(let entries)? = answer["items"], entries.count == count
        else {
            throw SIEMError.delivery(
                sink: sink, message: "unreadable _bulk answer (expected \(count) items)", retryable: true)
        }
        items = entries.map { entry in
            guard case .object(let actions) = entry, let result = actions.first?.value else {
                return Item(status: 0, reason: "?")
            }
            var status = 0
            if case .number(let n)? = result["status"] { status = Int(n) ?? 0 }
            let error = result["error"]
            let type = error?["type"]?.stringValue ?? ""
            let reason = error?["reason"]?.stringValue ?? error?.stringValue ?? ""
            return Item(status: status, reason: type.isEmpty ? reason : "\(type): \(reason)")
        }
    }
}
