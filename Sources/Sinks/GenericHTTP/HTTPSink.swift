import SIEMCore

/// POSTs each batch as one JSON array (or NDJSON) to a URL: for in-house collectors and anything
/// that takes JSON over HTTP. 2xx is success; 408, 429 and 5xx are retried with back-off; 400,
/// 413 and 422 refuse what the request carries, so it is split until the record at fault stands
/// alone and goes to the dead-letter file; any other answer stops the pipeline naming it.
public final class HTTPSink: EventSink {
    public static let id = "http"
    public static let summary = "POST each batch as a JSON array to a URL, with configured headers; retries 429/5xx"

    /// How a batch's records are joined into one request body.
    public enum Body: String, OptionChoice {
        /// `[r1,r2,…]`.
        case jsonArray = "json_array"
        /// One record per line (Google SecOps webhook feeds, Loki-style collectors).
        case ndjson
    }

    public struct Options: PluginOptions {
        public var url = ""
        public var headers: [String: String] = [:]
        public var body = Body.jsonArray
        public var maxBatchBytes = 5_000_000
        public var maxRequestBytes: Int?
        public var http = HTTPClientOptions()

        public static let specs: [OptionSpec<Options>] =
            [
                .init(
                    "url", \.url, help: "http:// or https:// URL to POST to (no credentials in it: use headers)",
                    required: true, check: HTTPURLRules.problem),
                .init("headers", \.headers, help: "extra request headers, e.g. Authorization: ${env:TOKEN}"),
                .init("body", \.body, help: "json_array ([r1,r2,…]) or ndjson (one record per line)"),
                .init(
                    "max_batch_bytes", \.maxBatchBytes,
                    help: "largest request body; a batch is split into several requests to stay under it",
                    range: 1_024...Int.max),
                .init(
                    "max_request_bytes", \.maxRequestBytes,
                    help:
                        "the receiver's limit on one request body, if it has one: a record that alone exceeds it is dead-lettered unsent",
                    check: { ($0 ?? 1_024) < 1_024 ? "must be at least 1024" : nil }),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws { try http.validateCombination() }
    }

    public static func framings(for options: Options) -> [Framing] {
        options.body == .ndjson ? [.ndjson] : [.jsonArray]
    }

    let options: Options
    let delivery: HTTPDelivery
    let records: RecordDelivery<Void>
    let headers: [(name: String, value: String)]

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        let name = context.pipelineName ?? Self.id
        delivery = HTTPDelivery(
            sink: name, transport: try HTTPTransport(options: options.http.resolved(in: context)),
            options: options.http)
        records = RecordDelivery(
            sink: name, retry: options.http.retry.policy, requestLimit: options.maxRequestBytes,
            receiver: HTTPRequest.describe(url: options.url))
        CredentialHeaders.register(options.headers)
        // Sorted, so requests are reproducible.
        headers = options.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var destination: String { HTTPRequest.describe(url: options.url) }
    public var maxInFlight: Int { options.http.concurrency }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let contentType = options.body == .ndjson ? "application/x-ndjson" : "application/json"
        let settled = try await records.deliver(batch, maxBytes: options.maxBatchBytes) { items in
            let answer = try await delivery.post(
                batch.body(items: items), to: options.url, contentType: contentType, headers: { _ in headers }
            ) { response in
                try delivery.standardVerdict(response, from: destination, refusing: [400, 413, 422], accepted: ())
            }
            switch answer {
            case .accepted: return .accepted(())
            case .refused(let reason): return .refused(reason)
            }
        }
        return settled.delivery(of: batch)
    }
}
