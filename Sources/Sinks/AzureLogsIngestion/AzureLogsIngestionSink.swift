import Foundation
import SIEMCore

/// Delivers to Azure Monitor's Logs Ingestion API, the current way into Microsoft Sentinel:
/// `POST {endpoint}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01` with a
/// JSON array, answered `204` (learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview).
///
/// The API refuses a call over 1 MB with 413, so every batch is split at 1,000,000 bytes of
/// encoded JSON whatever the configured batch size, and an event that alone would make a larger
/// call is refused without being sent (the runner dead-letters it); a 413 still halves a call.
/// Authentication is a Microsoft Entra ID token (client credentials), cached and renewed before
/// expiry, fetched again once on a 401.
public final class AzureLogsIngestionSink: EventSink {
    public static let id = "azure_logs_ingestion"
    public static let summary = "Azure Monitor Logs Ingestion API (Sentinel), Entra ID token, calls split at 1 MB"

    /// The API's limit per call, before compression.
    public static let maximumCallBytes = 1_000_000

    public struct Options: PluginOptions {
        public var endpoint = ""
        public var dcrImmutableID = ""
        public var stream = ""
        public var tenantID = ""
        public var clientID = ""
        public var clientSecret = ""
        public var tokenURL: String?
        public var scope = "https://monitor.azure.com//.default"
        public var maxBatchBytes = AzureLogsIngestionSink.maximumCallBytes
        public var http = HTTPClientOptions()

        public static let specs: [OptionSpec<Options>] =
            [
                .init(
                    "endpoint", \.endpoint, help: "data collection endpoint (or DCR logs ingestion) URL",
                    required: true, check: HTTPURLRules.problem),
                .init(
                    "dcr_immutable_id", \.dcrImmutableID, help: "the data collection rule's immutable id (dcr-…)",
                    required: true),
                .init(
                    "stream", \.stream, help: "stream declared in the rule, e.g. Custom-OversightBeacon", required: true
                ),
                .init("tenant_id", \.tenantID, help: "Microsoft Entra tenant id", required: true),
                .init(
                    "client_id", \.clientID, help: "application (client) id of the app registration", required: true),
                .init(
                    "client_secret", \.clientSecret,
                    help: "its client secret, by reference: ${env:AZURE_CLIENT_SECRET}", secret: true, required: true),
                .init(
                    "token_url", \.tokenURL,
                    help:
                        "token endpoint override; default https://login.microsoftonline.com/<tenant_id>/oauth2/v2.0/token",
                    check: HTTPURLRules.problem),
                .init("scope", \.scope, help: "OAuth scope of the token"),
                .init(
                    "max_batch_bytes", \.maxBatchBytes,
                    help: "largest call before compression; at most 1000000, the API's limit",
                    range: 1_024...AzureLogsIngestionSink.maximumCallBytes),
            ] + .group(\.http)

        public init() {}

        public func validateCombination() throws { try http.validateCombination() }
    }

    public static func framings(for options: Options) -> [Framing] { [.jsonArray] }

    let options: Options
    let url: String
    let credentials: EntraClientCredentials
    let delivery: HTTPDelivery
    let records: RecordDelivery<Void>

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        let name = context.pipelineName ?? Self.id
        let base = HTTPURLRules.base(options.endpoint)
        url = "\(base)/dataCollectionRules/\(options.dcrImmutableID)/streams/\(options.stream)?api-version=2023-01-01"
        let transport = try HTTPTransport(options: options.http.resolved(in: context))
        delivery = HTTPDelivery(sink: name, transport: transport, options: options.http)
        records = RecordDelivery(
            sink: name, retry: options.http.retry.policy, requestLimit: Self.maximumCallBytes,
            receiver: "the Logs Ingestion API")
        credentials = EntraClientCredentials(
            tokenURL: options.tokenURL ?? "https://login.microsoftonline.com/\(options.tenantID)/oauth2/v2.0/token",
            clientID: options.clientID, clientSecret: options.clientSecret, scope: options.scope,
            transport: try HTTPTransport(options: options.http.resolved(in: context)), sink: name)
    }

    public var destination: String { HTTPRequest.describe(url: url) }
    public var maxInFlight: Int { options.http.concurrency }

    /// Fetches a token at start-up, so wrong credentials fail before any row is read.
    public func start() async throws { _ = try await credentials.token() }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let settled = try await records.deliver(batch, maxBytes: options.maxBatchBytes) { items in
            var refreshedAfter401 = false
            let answer = try await delivery.post(
                batch.body(items: items), to: url, contentType: "application/json",
                headers: { _ in [("Authorization", "Bearer " + (try await credentials.token()))] }
            ) { response -> HTTPDelivery.Verdict<Void> in
                if response.status == 401 && !refreshedAfter401 {
                    // The token may have been revoked or expired early: fetch a new one, once.
                    refreshedAfter401 = true
                    credentials.invalidate()
                    return .retry(HTTPDelivery.describe(response, from: destination), retryAfter: 0)
                }
                return try delivery.standardVerdict(response, from: destination, accepted: ())
            }
            switch answer {
            case .accepted: return .accepted(())
            case .refused(let reason): return .refused(reason)
            }
        }
        return settled.delivery(of: batch)
    }
}
