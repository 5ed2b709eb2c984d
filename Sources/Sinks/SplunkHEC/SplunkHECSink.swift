import Foundation
import SIEMCore

/// Delivers to Splunk's HTTP Event Collector, `/services/collector/event`.
///
/// Per Splunk's "Format events for HTTP Event Collector" and "Troubleshoot HTTP Event Collector":
/// the body is event objects one after another (we send one per line, not a JSON array), the
/// token goes in `Authorization: Splunk <token>`, and every answer carries `{"text","code"}`.
/// Answer codes are classed: 8 (internal error), 9 (server busy), 429 and other 5xx are retried;
/// 5, 6, 12, 13 and 15 (invalid data) split the batch until the bad event is found, which goes
/// to the dead-letter file with HEC's reason while the rest is delivered; token, index, channel
/// and acknowledgement errors (1–4, 7, 10, 11, 14) stop the pipeline and keep the data. With
/// `indexer_ack`, batches count as delivered only once Splunk reports them indexed.
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
                    help: "JSON-lines file for events HEC refuses as invalid; unset: such an event stops the pipeline"),
                .init("health_check", \.healthCheck, help: "check the endpoint and token at start-up"),
                .init(
                    "max_batch_bytes", \.maxBatchBytes, help: "largest request body; larger batches are split",
                    range: 1_024...Int.max),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws { try http.validateCombination() }
    }

    public static func framings(for options: Options) -> [Framing] { [.concatenated] }

    let options: Options
    let name: String
    let base: String
    let channel = UUID().uuidString.lowercased()
    let transport: HTTPTransport
    let redaction: SecretRedaction
    let deadLetters: DeadLetterFile?

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        name = context.pipelineName ?? Self.id
        base = HTTPURLRules.base(options.url)
        transport = try HTTPTransport(options: options.http.resolved(in: context))
        redaction = SecretRedaction([options.token])
        deadLetters = try options.deadLetterPath.flatMap {
            context.dryRun ? nil : try DeadLetterFile(path: context.resolve(path: $0))
        }
    }

    public var destination: String { HTTPRequest.describe(url: base + "/services/collector/event") }
    public var maxInFlight: Int { options.http.concurrency }

    // MARK: Start-up check

    /// `GET /services/collector/health` says whether HEC is up; a POST with an empty body then
    /// proves the token without sending data: HEC answers code 5 ("No data") to a valid token.
    public func start() async throws {
        guard options.healthCheck else { return }
        let health = try await once(HTTPRequest(method: "GET", url: base + "/services/collector/health"))
        guard health.status == 200 else {
            throw SIEMError.delivery(
                sink: name,
                message: "HEC health check at \(HTTPRequest.describe(url: base)) failed: \(describe(health))",
                retryable: health.status == 503 || health.status >= 500)
        }
        let probe = try await once(
            HTTPRequest(method: "POST", url: base + "/services/collector/event", headers: headers(), body: []))
        let answer = HECAnswer(probe)
        if answer.code == 5 || answer.code == 0 { return }
        throw SIEMError.delivery(
            sink: name, message: "HEC refused the token at \(destination): \(describe(probe))", retryable: false)
    }

    // MARK: Delivery

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        var delivered = 0
        var pendingAcks: [(ackID: Int, through: Int)] = []
        for range in batch.chunks(maxBytes: options.maxBatchBytes) {
            do {
                let acks = try await deliver(batch, range)
                pendingAcks += acks.map { ($0, range.upperBound) }
                if !options.indexerAck { delivered = range.upperBound }
            } catch let error as SIEMError {
                if options.indexerAck { delivered = try await confirmedPrefix(pendingAcks) }
                if delivered > 0 { throw PartialDelivery(Delivery(accepted: delivered), error: error) }
                throw error
            }
        }
        if options.indexerAck {
            delivered = try await confirmedPrefix(pendingAcks)
            if delivered < batch.count {
                let error = SIEMError.delivery(
                    sink: name,
                    message:
                        "Splunk did not confirm indexing within \(options.ackMaxPolls) polls; the batch will be sent again",
                    retryable: true)
                if delivered > 0 { throw PartialDelivery(Delivery(accepted: delivered), error: error) }
                throw error
            }
        }
        return Delivery(accepted: batch.count)
    }

    /// Posts `range`; on invalid data, halves it until the refused event is alone, then sets it
    /// aside. Returns the ack ids of what was accepted.
    private func deliver(_ batch: EncodedBatch, _ range: Range<Int>) async throws -> [Int] {
        switch try await post(batch.body(range)) {
        case .accepted(let ackID):
            return ackID.map { [$0] } ?? []
        case .invalid(let reason):
            guard range.count > 1 else {
                try deadLetter(batch, range.lowerBound, reason: reason)
                return []
            }
            let middle = range.lowerBound + range.count / 2
            return try await deliver(batch, range.lowerBound..<middle) + deliver(batch, middle..<range.upperBound)
        }
    }

    private func deadLetter(_ batch: EncodedBatch, _ index: Int, reason: String) throws {
        let eventID = batch.eventIDs[index]
        guard let deadLetters else {
            throw SIEMError.delivery(
                sink: name,
                message:
                    "HEC refused event \(eventID) as invalid (\(reason)); set dead_letter_path to set such events aside",
                retryable: false)
        }
        try deadLetters.append(pipeline: name, eventID: eventID, reason: reason, record: batch.record(index))
    }

    enum PostResult: Sendable {
        case accepted(ackID: Int?)
        case invalid(String)
    }

    private func post(_ lines: [UInt8]) async throws -> PostResult {
        var headers = headers()
        var body = lines
        if options.http.compression == .gzip {
            body = Gzip.compress(lines)
            headers.append(("Content-Encoding", "gzip"))
        }
        let request = HTTPRequest(method: "POST", url: base + "/services/collector/event", headers: headers, body: body)
        return try await options.http.retry.policy.run(sink: name) { _ -> RetryPolicy.Outcome<PostResult> in
            let response: HTTPResponse
            switch try await HTTPAttempt.perform(request, on: transport, sink: name, redaction: redaction) {
            case .failed(let reason): return .retry(reason: reason, retryAfter: nil)
            case .answered(let answer): response = answer
            }
            let answer = HECAnswer(response)
            if (200...299).contains(response.status) && (answer.code ?? 0) == 0 {
                return .done(.accepted(ackID: answer.ackID))
            }
            switch answer.code {
            case 5?, 6?, 12?, 13?, 15?:
                return .done(.invalid("HEC code \(answer.code!): \(answer.text ?? "invalid data")"))
            case 8?, 9?:
                return .retry(reason: describe(response), retryAfter: RetryPolicy.retryAfter(response))
            default:
                if RetryPolicy.isRetryable(status: response.status) {
                    return .retry(reason: describe(response), retryAfter: RetryPolicy.retryAfter(response))
                }
                throw SIEMError.delivery(sink: name, message: describe(response), retryable: false)
            }
        }
    }

    /// How many records are confirmed indexed: polls `/services/collector/ack` until every ack
    /// is true or the polls run out, and returns the end of the longest confirmed prefix.
    private func confirmedPrefix(_ pending: [(ackID: Int, through: Int)]) async throws -> Int {
        guard !pending.isEmpty else { return 0 }
        var confirmed = Set<Int>()
        for poll in 0..<options.ackMaxPolls {
            let waiting = pending.map(\.ackID).filter { !confirmed.contains($0) }
            if waiting.isEmpty { break }
            if poll > 0 { try await Task.sleep(nanoseconds: UInt64(options.ackPollMS) * 1_000_000) }
            let body = Array(#"{"acks":[\#(waiting.map(String.init).joined(separator: ","))]}"#.utf8)
            let response: HTTPResponse
            do {
                response = try await transport.perform(
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
        var through = 0
        for entry in pending {
            guard confirmed.contains(entry.ackID) else { break }
            through = entry.through
        }
        return through
    }

    // MARK: Helpers

    private func headers() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Authorization", "Splunk " + options.token), ("Content-Type", "application/json"),
        ]
        if options.indexerAck { headers.append(("X-Splunk-Request-Channel", channel)) }
        return headers
    }

    private func once(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await transport.perform(request)
        } catch let failure as TransportFailure {
            throw SIEMError.delivery(
                sink: name, message: redaction.apply(failure.message), retryable: failure.isRetryable)
        }
    }

    private func describe(_ response: HTTPResponse) -> String {
        let answer = HECAnswer(response)
        if let code = answer.code {
            return "HTTP \(response.status), HEC code \(code): \(redaction.apply(answer.text ?? ""))"
        }
        return "HTTP \(response.status): \(redaction.apply(response.bodyExcerpt))"
    }

    public func close() async throws {}
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
