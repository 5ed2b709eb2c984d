import Foundation
import SIEMCore

/// POSTs each batch to an OpenTelemetry Collector's (or any OTLP endpoint's) `/v1/logs` as one
/// OTLP/HTTP JSON `ExportLogsServiceRequest` (use with the `otlp` formatter).
///
/// Per the OTLP/HTTP spec (opentelemetry.io/docs/specs/otlp/#otlphttp): 2xx is success, unless
/// the answer's `partialSuccess.rejectedLogRecords` says records were refused, which stops the
/// pipeline with the collector's message (the records are malformed; sending them again cannot
/// help); 429, 502, 503 and 504 are retried, honouring `Retry-After`; anything else stops.
public final class OTLPHTTPSink: EventSink {
    public static let id = "otlp_http"
    public static let summary = "POST OTLP/HTTP JSON log requests to an OpenTelemetry collector's /v1/logs"

    public struct Options: PluginOptions {
        public var endpoint = ""
        public var headers: [String: String] = [:]
        public var maxBatchBytes = 4_000_000
        public var http = HTTPClientOptions()

        public static let specs: [OptionSpec<Options>] =
            [
                .init(
                    "endpoint", \.endpoint, help: "collector base URL, e.g. http://127.0.0.1:4318 (/v1/logs is added)",
                    required: true, check: HTTPURLRules.problem),
                .init("headers", \.headers, help: "extra request headers, e.g. Authorization: ${env:OTLP_TOKEN}"),
                .init(
                    "max_batch_bytes", \.maxBatchBytes,
                    help: "largest request body; a batch is split into several requests", range: 1_024...Int.max),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws { try http.validateCombination() }
    }

    public static func framings(for options: Options) -> [Framing] { [.otlpLogs] }

    let options: Options
    let name: String
    let url: String
    let transport: HTTPTransport
    let redaction: SecretRedaction

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        name = context.pipelineName ?? Self.id
        url = HTTPURLRules.base(options.endpoint) + "/v1/logs"
        transport = try HTTPTransport(options: options.http.resolved(in: context))
        redaction = SecretRedaction(Array(options.headers.values))
    }

    public var destination: String { HTTPRequest.describe(url: url) }
    public var maxInFlight: Int { options.http.concurrency }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let ranges = batch.chunks(maxBytes: options.maxBatchBytes)
        return try await ChunkedDelivery.send(batch, in: ranges) { try await post(batch.body($0)) }
    }

    /// OTLP/HTTP's retryable statuses (§ "Failures").
    static func isRetryable(_ status: Int) -> Bool { [429, 502, 503, 504].contains(status) }

    private func post(_ json: [UInt8]) async throws {
        let post = JSONPost(
            sink: name, destination: destination, transport: transport, redaction: redaction, options: options.http,
            headers: options.headers)
        try await post.send(json, contentType: "application/json", to: url, isRetryable: Self.isRetryable) { answer in
            if let rejected = Self.rejectedRecords(answer.body), rejected.count > 0 {
                throw SIEMError.delivery(
                    sink: name,
                    message:
                        "\(destination) rejected \(rejected.count) log record(s): \(redaction.apply(rejected.message))",
                    retryable: false)
            }
        }
    }

    /// `partialSuccess` of an `ExportLogsServiceResponse`: how many records were refused and why.
    static func rejectedRecords(_ body: [UInt8]) -> (count: Int, message: String)? {
        guard !body.isEmpty,
            let answer = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let partial = answer["partialSuccess"] as? [String: Any]
        else { return nil }
        let count: Int
        switch partial["rejectedLogRecords"] {
        case let text as String: count = Int(text) ?? 0
        case let number as NSNumber: count = number.intValue
        default: count = 0
        }
        return (count, partial["errorMessage"] as? String ?? "")
    }

    public func close() async throws {}
}
