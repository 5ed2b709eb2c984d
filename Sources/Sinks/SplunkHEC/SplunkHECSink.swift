import Foundation
import SIEMCore

/// Delivers to Splunk's HTTP Event Collector, `/services/collector/event`.
///
/// Per Splunk's "Format events for HTTP Event Collector" and "Troubleshoot HTTP Event Collector":
/// the body is event objects one after another (we send one per line, not a JSON array), the
/// token goes in `Authorization: Splunk <token>`, and every answer carries `{"text","code"}`.
/// Answer codes are classed: 8 (internal error), 9 (server busy), 429 and other 5xx are retried;
/// 5, 6, 12, 13 and 15 (invalid data) and 413 split the request until the bad event stands alone,
/// which is refused (the runner dead-letters it with HEC's reason) while the rest is delivered;
/// token, index, channel and acknowledgement errors (1–4, 7, 10, 11, 14) stop the pipeline and
/// keep the data. An event whose request alone exceeds `max_content_length` is refused unsent.
/// With `indexer_ack`, events count as delivered only once Splunk reports them indexed.
public final class SplunkHECSink: EventSink {
    public static let id = "splunk_hec"
    public static let summary =
        "Splunk HTTP Event Collector: batched events, code-aware retries, dead letters, indexer ack"

    public struct Options: PluginOptions {
        public var url = ""
        public var token = ""
        public var indexerAck = false
        public var ackPollMS = 1_000
        public var ackMaxPolls = 60
        public var deadLetterPath: String?
        public var healthCheck = true
        public var maxBatchBytes = 1_000_000
        public var maxContentLength = 838_860_800
        public var http = HTTPClientOptions()

        public static let specs: [OptionSpec<Options>] =
            [
                .init(
                    "url", \.url, help: "HEC base URL, e.g. https://splunk.example:8088 (paths are added)",
                    required: true, check: HTTPURLRules.problem),
                .init(
                    "token", \.token, help: "HEC token, by reference: ${env:HEC_TOKEN} or ${file:/run/secrets/hec}",
                    secret: true, required: true),
                .init(
                    "indexer_ack", \.indexerAck,
                    help: "wait for Splunk to report each batch indexed (Splunk Enterprise, token with ack on)"),
                .init("ack_poll_ms", \.ackPollMS, help: "interval between acknowledgement polls", range: 1...600_000),
                .init(
                    "ack_max_polls", \.ackMaxPolls,
                    help: "polls before an unconfirmed batch counts as failed (and is sent again next run)",
                    range: 1...100_000),
                .init(
                    "dead_letter_path", \.deadLetterPath,
                    help:
                        "deprecated: the pipeline's dead-letter file for events HEC refuses (use the pipeline's `dead_letter:`)"
                ),
                .init("health_check", \.healthCheck, help: "check the endpoint and token at start-up"),
                .init(
                    "max_batch_bytes", \.maxBatchBytes, help: "largest request body; larger batches are split",
                    range: 1_024...Int.max),
                .init(
                    "max_content_length", \.maxContentLength,
                    help:
                        "the HEC's own limit on a request body (limits.conf [http_input] max_content_length): an event whose request alone exceeds it is dead-lettered unsent",
                    range: 1_024...Int.max),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws { try http.validateCombination() }
    }

    public static func framings(for options: Options) -> [Framing] { [.concatenated] }

    let options: Options
    let base: String
    let channel = UUID().uuidString.lowercased()
    let delivery: HTTPDelivery
    let records: RecordDelivery<Int?>

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        let name = context.pipelineName ?? Self.id
        base = HTTPURLRules.base(options.url)
        delivery = HTTPDelivery(
            sink: name, transport: try HTTPTransport(options: options.http.resolved(in: context)),
            options: options.http)
        records = RecordDelivery(
            sink: name, retry: options.http.retry.policy, requestLimit: options.maxContentLength,
            receiver: "HEC (max_content_length)")
    }

    var name: String { delivery.sink }
    public var destination: String { HTTPRequest.describe(url: base + "/services/collector/event") }
    public var maxInFlight: Int { options.http.concurrency }

    // MARK: Start-up check

    /// `GET /services/collector/health` says whether HEC is up; a POST with an empty body then
    /// proves the token without sending data: HEC answers code 5 ("No data") to a valid token.
    public func start() async throws {
        guard options.healthCheck else { return }
        let health = try await delivery.once(HTTPRequest(method: "GET", url: base + "/services/collector/health"))
        guard health.status == 200 else {
            throw SIEMError.delivery(
                sink: name,
                message: "HEC health check at \(HTTPRequest.describe(url: base)) failed: \(describe(health))",
                retryable: health.status == 503 || health.status >= 500)
        }
        let probe = try await delivery.once(
            HTTPRequest(method: "POST", url: base + "/services/collector/event", headers: headers(), body: []))
        let answer = HECAnswer(probe)
        if answer.code == 5 || answer.code == 0 { return }
        throw SIEMError.delivery(
            sink: name, message: "HEC refused the token at \(destination): \(describe(probe))", retryable: false)
    }

    // MARK: Delivery

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let settled: RecordDelivery<Int?>.Settled
        do {
            settled = try await records.deliver(batch, maxBytes: options.maxBatchBytes) { items in
                switch try await post(batch.body(items: items)) {
                case .accepted(let ackID): return .accepted(ackID)
                case .refused(let reason): return .refused(reason)
                }
            }
        } catch let partial as PartialDelivery where options.indexerAck {
            // What was posted before the failure would count only once Splunk confirmed it
            // indexed: the whole batch is sent again instead.
            throw partial.error
        }
        guard options.indexerAck else { return settled.delivery(of: batch) }
        let confirmed = try await confirmedAcks(settled.acks.compactMap(\.ack))
        let taken = Set(settled.acks.filter { $0.ack.map(confirmed.contains) ?? false }.flatMap(\.items))
        let refused = Set(settled.refused.map(\.index))
        guard let firstUnconfirmed = (0..<batch.count).first(where: { !taken.contains($0) && !refused.contains($0) })
        else { return settled.delivery(of: batch) }
        let error = SIEMError.delivery(
            sink: name,
            message:
                "Splunk did not confirm indexing within \(options.ackMaxPolls) polls; the batch will be sent again",
            retryable: true)
        if firstUnconfirmed == 0 { throw error }
        let prefixRefusals = settled.refused.filter { $0.index < firstUnconfirmed }
        throw PartialDelivery(
            Delivery(accepted: firstUnconfirmed - prefixRefusals.count, refused: prefixRefusals), error: error)
    }

    /// Posts one request body; HEC's codes say whether it was taken (with its ack id), refused
    /// for what it carries, worth another try, or a reason to stop.
    private func post(_ lines: [UInt8]) async throws -> HTTPDelivery.Answer<Int?> {
        try await delivery.post(
            lines, to: base + "/services/collector/event", contentType: "application/json",
            headers: { _ in authorization() },
            classify: { response in
                let answer = HECAnswer(response)
                if (200...299).contains(response.status) && (answer.code ?? 0) == 0 { return .accepted(answer.ackID) }
                switch answer.code {
                case 5?, 6?, 12?, 13?, 15?:
                    return .refused("HEC code \(answer.code!): \(answer.text ?? "invalid data")")
                case 8?, 9?:
                    return .retry(describe(response), retryAfter: RetryPolicy.retryAfter(response))
                default:
                    if response.status == 413 { return .refused(describe(response)) }
                    if RetryPolicy.isRetryable(status: response.status) {
                        return .retry(describe(response), retryAfter: RetryPolicy.retryAfter(response))
                    }
                    throw SIEMError.delivery(sink: name, message: describe(response), retryable: false)
                }
            })
    }

    /// Which of `pending` Splunk reports indexed: polls `/services/collector/ack` until every
    /// one is or the polls run out.
    private func confirmedAcks(_ pending: [Int]) async throws -> Set<Int> {
        var confirmed = Set<Int>()
        for poll in 0..<options.ackMaxPolls {
            let waiting = pending.filter { !confirmed.contains($0) }
            if waiting.isEmpty { break }
            if poll > 0 { try await Task.sleep(nanoseconds: UInt64(options.ackPollMS) * 1_000_000) }
            let body = Array(#"{"acks":[\#(waiting.map(String.init).joined(separator: ","))]}"#.utf8)
            let response: HTTPResponse
            do {
                response = try await delivery.transport.perform(
                    HTTPRequest(method: "POST", url: base + "/services/collector/ack", headers: headers(), body: body))
            } catch let failure as TransportFailure where failure.isRetryable {
                continue
            }
            guard response.status == 200 else {
                if RetryPolicy.isRetryable(status: response.status) { continue }
                throw SIEMError.delivery(sink: name, message: "ack poll: \(describe(response))", retryable: false)
            }
            let acks = (try? JSONParser.parse(String(decoding: response.body, as: UTF8.self)))?["acks"]
            if case .object(let members)? = acks {
                for member in members where member.value == .bool(true) {
                    Int(member.key).map { _ = confirmed.insert($0) }
                }
            }
        }
        return confirmed
    }

    // MARK: Helpers

    private func authorization() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Authorization", "Splunk " + options.token)]
        if options.indexerAck { headers.append(("X-Splunk-Request-Channel", channel)) }
        return headers
    }

    private func headers() -> [(name: String, value: String)] {
        authorization() + [("Content-Type", "application/json")]
    }

    private func describe(_ response: HTTPResponse) -> String {
        let answer = HECAnswer(response)
        if let code = answer.code { return "HTTP \(response.status), HEC code \(code): \(answer.text ?? "")" }
        return "HTTP \(response.status): \(response.bodyExcerpt)"
    }
}

/// HEC's JSON answer: `{"text": "...", "code": N, "ackId": N, "invalid-event-number": N}`.
struct HECAnswer {
    var text: String?
    var code: Int?
    var ackID: Int?

    init(_ response: HTTPResponse) {
        guard let value = try? JSONParser.parse(String(decoding: response.body, as: UTF8.self)) else { return }
        text = value["text"]?.stringValue
        if case .number(let n)? = value["code"] { code = Int(n) }
        if case .number(let n)? = value["ackId"] { ackID = Int(n) }
    }
}
