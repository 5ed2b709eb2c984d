import Foundation
import SIEMCore

/// Delivers to Azure Monitor's Logs Ingestion API, the current way into Microsoft Sentinel:
/// `POST {endpoint}/dataCollectionRules/{dcr}/streams/{stream}?api-version=2023-01-01` with a
/// JSON array, answered `204` (learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview).
///
/// The API refuses a call over 1 MB with 413, so every batch is split at 1,000,000 bytes of
/// encoded JSON whatever the configured batch size. Authentication is a Microsoft Entra ID token
/// (client credentials), cached and renewed before expiry, fetched again once on a 401.
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
    let name: String
    let url: String
    let transport: HTTPTransport
    let credentials: EntraClientCredentials
    let redaction: SecretRedaction

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        name = context.pipelineName ?? Self.id
        let base = HTTPURLRules.base(options.endpoint)
        url = "\(base)/dataCollectionRules/\(options.dcrImmutableID)/streams/\(options.stream)?api-version=2023-01-01"
        transport = try HTTPTransport(options: options.http.resolved(in: context))
        credentials = EntraClientCredentials(
            tokenURL: options.tokenURL ?? "https://login.microsoftonline.com/\(options.tenantID)/oauth2/v2.0/token",
            clientID: options.clientID, clientSecret: options.clientSecret, scope: options.scope,
            transport: try HTTPTransport(options: options.http.resolved(in: context)), sink: name)
        redaction = SecretRedaction([options.clientSecret])
    }

    public var destination: String { HTTPRequest.describe(url: url) }
    public var maxInFlight: Int { options.http.concurrency }

    /// Fetches a token at start-up, so wrong credentials fail before any row is read.
    public func start() async throws { _ = try await credentials.token() }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let ranges = batch.chunks(maxBytes: options.maxBatchBytes)
        return try await ChunkedDelivery.send(batch, in: ranges) { try await post(batch.body($0)) }
    }

    private func post(_ json: [UInt8]) async throws {
        var body = json
        var baseHeaders: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if options.http.compression == .gzip {
            body = Gzip.compress(json)
            baseHeaders.append(("Content-Encoding", "gzip"))
        }
        var refreshedAfter401 = false
        try await options.http.retry.policy.run(sink: name) { _ -> RetryPolicy.Outcome<Void> in
            let token = try await credentials.token()
            let request = HTTPRequest(
                method: "POST", url: url, headers: baseHeaders + [("Authorization", "Bearer " + token)], body: body)
            let response: HTTPResponse
            switch try await HTTPAttempt.perform(request, on: transport, sink: name, redaction: redaction) {
            case .failed(let reason): return .retry(reason: reason, retryAfter: nil)
            case .answered(let answer): response = answer
            }
            if (200...299).contains(response.status) { return .done(()) }
            let scrub = SecretRedaction([options.clientSecret, token])
            let message = "HTTP \(response.status) from \(destination): \(scrub.apply(response.bodyExcerpt))"
            if response.status == 401 && !refreshedAfter401 {
                // The token may have been revoked or expired early: fetch a new one, once.
                refreshedAfter401 = true
                credentials.invalidate()
                return .retry(reason: message, retryAfter: 0)
            }
            if RetryPolicy.isRetryable(status: response.status) {
                return .retry(reason: message, retryAfter: RetryPolicy.retryAfter(response))
            }
            throw SIEMError.delivery(sink: name, message: message, retryable: false)
        }
    }

    public func close() async throws {}
}
