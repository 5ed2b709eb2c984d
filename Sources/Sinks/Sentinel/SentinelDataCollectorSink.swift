import Foundation
import SIEMCore

/// Delivers to a Log Analytics workspace through the HTTP Data Collector API
/// (`POST https://<workspace>.ods.opinsights.azure.com/api/logs?api-version=2016-04-01`).
///
/// Microsoft retired this API in 2026; new deployments use `azure_logs_ingestion`. It stays for
/// workspaces that still accept it. Each request is signed with the workspace's shared key over
/// a fresh `x-ms-date` and the exact byte length of the body sent; records go in a JSON array,
/// `Log-Type` names the custom table (`<Log-Type>_CL`), `time-generated-field` says which field
/// holds the event time. A post is at most 30 MB, so batches are split below that.
public final class SentinelDataCollectorSink: EventSink {
    public static let id = "sentinel"
    public static let summary =
        "Log Analytics HTTP Data Collector API (retired 2026; prefer azure_logs_ingestion), SharedKey-signed"

    /// The API's limit is 30 MB per post; stay clear of it.
    public static let maximumPostBytes = 30_000_000

    public struct Options: PluginOptions {
        public var workspaceID: String
        public var sharedKey: String
        public var logType: String
        public var timeGeneratedField: String
        public var url: String?
        public var maxBatchBytes: Int
        public var http: HTTPClientOptions

        public enum CodingKeys: String, OptionKey {
            case workspaceID = "workspace_id"
            case sharedKey = "shared_key"
            case logType = "log_type"
            case timeGeneratedField = "time_generated_field"
            case url
            case maxBatchBytes = "max_batch_bytes"
            public var isSecret: Bool { self == .sharedKey }
            public var help: String {
                switch self {
                case .workspaceID: return "Log Analytics workspace id (a GUID)"
                case .sharedKey: return "workspace primary or secondary key (base64), by reference"
                case .logType: return "custom log name: the table is <log_type>_CL (letters, digits, _; at most 100)"
                case .timeGeneratedField: return "record field holding the event time"
                case .url:
                    return
                        "endpoint override (sovereign clouds, tests); default https://<workspace_id>.ods.opinsights.azure.com"
                case .maxBatchBytes: return "largest post (the API refuses more than 30 MB)"
                }
            }
        }

        public init() {
            workspaceID = ""
            sharedKey = ""
            logType = "OversightBeacon"
            timeGeneratedField = "TimeGenerated"
            url = nil
            maxBatchBytes = 25_000_000
            http = HTTPClientOptions()
        }

        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&workspaceID, .workspaceID)
            try c.update(&sharedKey, .sharedKey)
            try c.update(&logType, .logType)
            try c.update(&timeGeneratedField, .timeGeneratedField)
            try c.update(&url, .url)
            try c.update(&maxBatchBytes, .maxBatchBytes)
            http = try HTTPClientOptions(from: decoder)
        }

        public func validate() throws {
            if workspaceID.isEmpty { throw SIEMError.invalidOption(key: "workspace_id", message: "is required") }
            if sharedKey.isEmpty {
                throw SIEMError.invalidOption(key: "shared_key", message: "is required (use ${env:…} or ${file:…})")
            }
            if Data(base64Encoded: sharedKey) == nil {
                throw SIEMError.invalidOption(key: "shared_key", message: "is not valid base64")
            }
            if logType.isEmpty || logType.count > 100
                || !logType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            {
                throw SIEMError.invalidOption(
                    key: "log_type", message: "must be letters, digits and _, at most 100 characters")
            }
            if let url { try HTTPURLRules.check(url, key: "url") }
            if !(1_024...SentinelDataCollectorSink.maximumPostBytes).contains(maxBatchBytes) {
                throw SIEMError.invalidOption(key: "max_batch_bytes", message: "must be from 1024 to 30000000")
            }
            if http.compression != .none {
                throw SIEMError.invalidOption(
                    key: "compression", message: "the Data Collector API takes uncompressed bodies only")
            }
            try http.validate()
        }
    }

    let options: Options
    let name: String
    let endpoint: String
    let transport: HTTPTransport
    let redaction: SecretRedaction
    /// The clock for `x-ms-date`; tests may pin it.
    let now: @Sendable () -> Int64

    public convenience init(options: Options, context: PluginContext) throws {
        try self.init(options: options, context: context, now: { Int64(Date().timeIntervalSince1970) })
    }

    init(options: Options, context: PluginContext, now: @escaping @Sendable () -> Int64) throws {
        self.options = options
        name = context.pipelineName ?? Self.id
        let base = options.url ?? "https://\(options.workspaceID).ods.opinsights.azure.com"
        endpoint = HTTPURLRules.base(base) + "/api/logs?api-version=2016-04-01"
        transport = try HTTPTransport(options: options.http.resolved(in: context))
        redaction = SecretRedaction([options.sharedKey])
        self.now = now
    }

    public var destination: String { HTTPRequest.describe(url: endpoint) + " (\(options.logType)_CL)" }
    public var maxInFlight: Int { options.http.concurrency }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        // A JSON array of n records is their bytes with newlines, minus n newlines, plus n-1 commas and 2 brackets.
        let ranges = batch.chunks(maxRecords: .max, maxBytes: options.maxBatchBytes, overhead: 1)
        return try await ChunkedDelivery.send(batch, in: ranges) { try await post(batch.jsonArrayBody($0)) }
    }

    private func post(_ body: [UInt8]) async throws {
        try await RetryPolicy(options.http).run(sink: name) { _ -> RetryPolicy.Outcome<Void> in
            // A fresh date and signature for every attempt: the API refuses stale ones.
            let date = SentinelSharedKeySignature.rfc1123Date(unixSeconds: now())
            let authorization = try SentinelSharedKeySignature.authorization(
                workspaceID: options.workspaceID, sharedKeyBase64: options.sharedKey, contentLength: body.count,
                date: date)
            let request = HTTPRequest(
                method: "POST", url: endpoint,
                headers: [
                    ("Content-Type", "application/json"), ("Log-Type", options.logType), ("x-ms-date", date),
                    ("time-generated-field", options.timeGeneratedField), ("Authorization", authorization),
                ], body: body)
            let response: HTTPResponse
            switch try await HTTPAttempt.perform(request, on: transport, sink: name, redaction: redaction) {
            case .failed(let reason): return .retry(reason: reason, retryAfter: nil)
            case .answered(let answer): response = answer
            }
            if (200...299).contains(response.status) { return .done(()) }
            let message =
                "HTTP \(response.status) from \(HTTPRequest.describe(url: endpoint)): \(redaction.apply(response.bodyExcerpt))"
            if RetryPolicy.isRetryable(status: response.status) {
                return .retry(reason: message, retryAfter: RetryPolicy.retryAfter(response))
            }
            throw SIEMError.delivery(sink: name, message: message, retryable: false)
        }
    }

    public func close() async throws {}
}
