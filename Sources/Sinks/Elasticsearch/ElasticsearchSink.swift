import Foundation
import SIEMCore

/// Delivers to Elasticsearch's `_bulk` API with one `create` action per document.
///
/// Per the Bulk API reference (elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html):
/// the body is NDJSON, an action line then a source line, ending in a newline. The `_id` is the
/// registry id and the event id, so a re-sent batch cannot duplicate a document: Elasticsearch
/// answers `409` for it, which counts as delivered. A `200` answer still carries per-item
/// results: items refused with 429 or 5xx are sent again; any other refused item (a mapping
/// error, 400) is refused for good and goes to the dead-letter file with Elasticsearch's reason,
/// while the rest is delivered. A 413 halves the request; a document whose request alone exceeds
/// `max_content_length` (`http.max_content_length`, 100 MB by default) is refused unsent.
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
        public var maxContentLength = 104_857_600
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
                .init(
                    "max_content_length", \.maxContentLength,
                    help:
                        "the cluster's http.max_content_length (100mb by default): a document whose request alone exceeds it is dead-lettered unsent",
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
    let base: String
    let authorization: String?
    let delivery: HTTPDelivery
    let records: RecordDelivery<Void>

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        let name = context.pipelineName ?? Self.id
        base = HTTPURLRules.base(options.url)
        delivery = HTTPDelivery(
            sink: name, transport: try HTTPTransport(options: options.http.resolved(in: context)),
            options: options.http)
        records = RecordDelivery(
            sink: name, retry: options.http.retry.policy, requestLimit: options.maxContentLength,
            receiver: "Elasticsearch (http.max_content_length)")
        if let apiKey = options.apiKey {
            authorization = "ApiKey " + apiKey
        } else if let user = options.username, let password = options.password {
            authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        // Derived from the configured secrets, so a receiver echoing the header is redacted too.
        authorization.map(OutputRedaction.shared.register)
    }

    var name: String { delivery.sink }
    public var destination: String { HTTPRequest.describe(url: base) + " index \(options.index)" }
    public var maxInFlight: Int { options.http.concurrency }

    /// `GET /` answers with the cluster's name when the URL and credentials are right.
    public func start() async throws {
        let response = try await delivery.once(HTTPRequest(method: "GET", url: base + "/", headers: headers()))
        guard (200...299).contains(response.status) else {
            let what = response.status == 401 || response.status == 403 ? "credentials refused" : "unexpected answer"
            throw SIEMError.delivery(
                sink: name,
                message:
                    "Elasticsearch at \(HTTPRequest.describe(url: base)): \(what): HTTP \(response.status): \(response.bodyExcerpt)",
                retryable: RetryPolicy.isRetryable(status: response.status))
        }
    }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        var url = base + "/_bulk"
        if let pipeline = options.pipeline { url += "?pipeline=" + PercentEncoding.escape(pipeline) }
        let settled = try await records.deliver(batch, maxBytes: options.maxBatchBytes) { items in
            let answer = try await delivery.post(
                batch.body(items: items), to: url, contentType: "application/x-ndjson", headers: { _ in headers() }
            ) { response -> HTTPDelivery.Verdict<[RecordDelivery<Void>.RecordAnswer]?> in
                guard response.status == 200 else {
                    return try delivery.standardVerdict(
                        response, from: HTTPRequest.describe(url: base + "/_bulk"), accepted: nil)
                }
                // Elasticsearch puts `"errors":false` at the top of the answer when every item
                // succeeded (`took` and `errors` come first); then the items need no reading.
                if BulkResults.reportsNoErrors(response.body) { return .accepted(nil) }
                let results = try BulkResults(response.body, count: items.count, sink: name)
                return .accepted(
                    zip(items, results.items).map { item, result in
                        switch result.status {
                        case 200...299, 409: return .accepted
                        case 429, 500...599: return .retry("item status \(result.status): \(result.reason)")
                        default:
                            return .refused(
                                "Elasticsearch refused event \(batch.eventIDs[item]) (status \(result.status)): \(result.reason)"
                            )
                        }
                    })
            }
            switch answer {
            case .accepted(let perItem?): return .perRecord(perItem)
            case .accepted(nil): return .accepted(())
            case .refused(let reason): return .refused(reason)
            }
        }
        return settled.delivery(of: batch)
    }

    private func headers() -> [(name: String, value: String)] {
        authorization.map { [("Authorization", $0)] } ?? []
    }
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
