import Foundation
import SIEMCore

/// POSTs each batch to an OpenTelemetry Collector's (or any OTLP endpoint's) `/v1/logs` as one
/// OTLP/HTTP JSON `ExportLogsServiceRequest` (use with the `otlp` formatter).
///
/// Per the OTLP/HTTP spec (opentelemetry.io/docs/specs/otlp/#otlphttp): 2xx is success, unless
/// the answer's `partialSuccess.rejectedLogRecords` says records were refused (malformed; sending
/// them again as they are cannot help); 400 refuses the request; 429, 502, 503 and 504 are
/// retried, honouring `Retry-After`; anything else stops. A refused request is split until the
/// record at fault stands alone and goes to the dead-letter file; the collector does not say which
/// records of a partly refused request it took, so those are sent again (at least once).
public final class OTLPHTTPSink: EventSink {
    public static let id = "otlp_http"
    public static let summary = "POST OTLP/HTTP JSON log requests to an OpenTelemetry collector's /v1/logs"

    public struct Options: PluginOptions {
        public var endpoint = ""
        public var headers: [String: String] = [:]
        public var maxBatchBytes = 4_000_000
        public var maxRequestBytes: Int? = 20 * 1_024 * 1_024
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
                .init(
                    "max_request_bytes", \.maxRequestBytes,
                    help:
                        "the collector's limit on one request body (the OpenTelemetry Collector's max_request_body_size, 20 MiB by default): a record that alone exceeds it is dead-lettered unsent",
                    check: { ($0 ?? 1_024) < 1_024 ? "must be at least 1024" : nil }),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws { try http.validateCombination() }
    }

    public static func framings(for options: Options) -> [Framing] { [.otlpLogs] }

    let options: Options
    let url: String
    let delivery: HTTPDelivery
    let records: RecordDelivery<Void>
    let headers: [(name: String, value: String)]

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        let name = context.pipelineName ?? Self.id
        url = HTTPURLRules.base(options.endpoint) + "/v1/logs"
        delivery = HTTPDelivery(
            sink: name, transport: try HTTPTransport(options: options.http.resolved(in: context)),
            options: options.http)
        records = RecordDelivery(
            sink: name, retry: options.http.retry.policy, requestLimit: options.maxRequestBytes,
            receiver: "the collector")
        CredentialHeaders.register(options.headers)
        headers = options.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var destination: String { HTTPRequest.describe(url: url) }
    public var maxInFlight: Int { options.http.concurrency }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let settled = try await records.deliver(batch, maxBytes: options.maxBatchBytes) { items in
            let answer = try await delivery.post(
                batch.body(items: items), to: url, contentType: "application/json", headers: { _ in headers },
                classify: classify)
            switch answer {
            case .accepted: return .accepted(())
            case .refused(let reason): return .refused(reason)
            }
        }
        return settled.delivery(of: batch)
    }

    /// OTLP/HTTP's answers (§ "Failures"): only 429, 502, 503 and 504 are worth another try.
    private func classify(_ response: HTTPResponse) throws -> HTTPDelivery.Verdict<Void> {
        if (200...299).contains(response.status) {
            if let rejected = Self.rejectedRecords(response.body), rejected.count > 0 {
                return .refused("\(destination) rejected \(rejected.count) log record(s): \(rejected.message)")
            }
            return .accepted(())
        }
        let message = HTTPDelivery.describe(response, from: destination)
        if [429, 502, 503, 504].contains(response.status) {
            return .retry(message, retryAfter: RetryPolicy.retryAfter(response))
        }
        if [400, 413].contains(response.status) { return .refused(message) }
        throw SIEMError.delivery(sink: delivery.sink, message: message, retryable: false)
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

}
