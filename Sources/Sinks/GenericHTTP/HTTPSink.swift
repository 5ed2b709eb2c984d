import SIEMCore

/// POSTs each batch as one JSON array to a URL: for in-house collectors and anything that takes
/// JSON over HTTP. 2xx is success; 408, 429 and 5xx are retried with back-off; any other answer
/// stops the pipeline with the status and an excerpt of the answer.
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
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws { try http.validateCombination() }
    }

    public static func framings(for options: Options) -> [Framing] {
        options.body == .ndjson ? [.ndjson] : [.jsonArray]
    }

    let options: Options
    let name: String
    let transport: HTTPTransport
    let redaction: SecretRedaction

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        name = context.pipelineName ?? Self.id
        transport = try HTTPTransport(options: options.http.resolved(in: context))
        redaction = SecretRedaction(Array(options.headers.values))
    }

    public var destination: String { HTTPRequest.describe(url: options.url) }
    public var maxInFlight: Int { options.http.concurrency }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let ranges = batch.chunks(maxBytes: options.maxBatchBytes)
        return try await ChunkedDelivery.send(batch, in: ranges) { try await post(batch.body($0)) }
    }

    private func post(_ json: [UInt8]) async throws {
        let post = JSONPost(
            sink: name, destination: destination, transport: transport, redaction: redaction, options: options.http,
            headers: options.headers)
        try await post.send(
            json, contentType: options.body == .ndjson ? "application/x-ndjson" : "application/json", to: options.url)
    }

    public func close() async throws {}
}
