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
    public static let id = "log_analytics_data_collector"
    /// Its name before it was clear that this is the retired API, not the way into Sentinel.
    public static let formerIDs = ["sentinel"]
    public static let summary =
        "Log Analytics HTTP Data Collector API (retired 2026; prefer azure_logs_ingestion), SharedKey-signed"

    /// The API's limit is 30 MB per post; stay clear of it.
    public static let maximumPostBytes = 30_000_000

    public struct Options: PluginOptions {
        public var workspaceID = ""
        public var sharedKey = ""
        public var logType = "OversightBeacon"
        public var timeGeneratedField = "TimeGenerated"
        public var url: String?
        public var maxBatchBytes = 25_000_000
        public var http = HTTPClientOptions()

        public static let specs: [OptionSpec<Options>] =
            [
                .init("workspace_id", \.workspaceID, help: "Log Analytics workspace id (a GUID)", required: true),
                .init(
                    "shared_key", \.sharedKey, help: "workspace primary or secondary key (base64), by reference",
                    secret: true, required: true,
                    check: { Data(base64Encoded: $0) == nil ? "is not valid base64" : nil }),
                .init(
                    "log_type", \.logType,
                    help: "custom log name: the table is <log_type>_CL (letters, digits, _; at most 100)",
                    check: { logType in
                        guard
                            logType.isEmpty || logType.count > 100
                                || !logType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
                        else { return nil }
                        return "must be letters, digits and _, at most 100 characters"
                    }),
                .init("time_generated_field", \.timeGeneratedField, help: "record field holding the event time"),
                .init(
                    "url", \.url,
                    help:
                        "endpoint override (sovereign clouds, tests); default https://<workspace_id>.ods.opinsights.azure.com",
                    check: HTTPURLRules.problem),
                .init(
                    "max_batch_bytes", \.maxBatchBytes, help: "largest post (the API refuses more than 30 MB)",
                    range: 1_024...SentinelDataCollectorSink.maximumPostBytes),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws {
            if http.compression != .none {
                throw SIEMError.invalidOption(
                    key: "compression", message: "the Data Collector API takes uncompressed bodies only")
            }
            try http.validateCombination()
        }
    }

    public static func framings(for options: Options) -> [Framing] { [.jsonArray] }

    let options: Options
    let endpoint: String
    let delivery: HTTPDelivery
    let records: RecordDelivery<Void>
    /// The clock for `x-ms-date`; tests may pin it.
    let now: @Sendable () -> Int64

    public convenience init(options: Options, context: PluginContext) throws {
        try self.init(options: options, context: context, now: { Int64(Date().timeIntervalSince1970) })
    }

    init(options: Options, context: PluginContext, now: @escaping @Sendable () -> Int64) throws {
        self.options = options
        let name = context.pipelineName ?? Self.id
        let base = options.url ?? "https://\(options.workspaceID).ods.opinsights.azure.com"
        endpoint = HTTPURLRules.base(base) + "/api/logs?api-version=2016-04-01"
        delivery = HTTPDelivery(
            sink: name, transport: try HTTPTransport(options: options.http.resolved(in: context)),
            options: options.http)
        records = RecordDelivery(
            sink: name, retry: options.http.retry.policy, requestLimit: Self.maximumPostBytes,
            receiver: "the Data Collector API")
        self.now = now
    }

    public var destination: String { HTTPRequest.describe(url: endpoint) + " (\(options.logType)_CL)" }
    public var maxInFlight: Int { options.http.concurrency }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let settled = try await records.deliver(batch, maxBytes: options.maxBatchBytes) { items in
            let answer = try await delivery.post(
                batch.body(items: items), to: endpoint, contentType: "application/json",
                headers: { length in
                    // A fresh date and signature for every attempt: the API refuses stale ones.
                    let date = SentinelSharedKeySignature.rfc1123Date(unixSeconds: now())
                    let authorization = try SentinelSharedKeySignature.authorization(
                        workspaceID: options.workspaceID, sharedKeyBase64: options.sharedKey, contentLength: length,
                        date: date)
                    return [
                        ("Log-Type", options.logType), ("x-ms-date", date),
                        ("time-generated-field", options.timeGeneratedField), ("Authorization", authorization),
                    ]
                }
            ) { response in
                try delivery.standardVerdict(response, from: HTTPRequest.describe(url: endpoint), accepted: ())
            }
            switch answer {
            case .accepted: return .accepted(())
            case .refused(let reason): return .refused(reason)
            }
        }
        return settled.delivery(of: batch)
    }
}
