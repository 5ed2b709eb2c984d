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
        public var endpoint: String
        public var dcrImmutableID: String
        public var stream: String
        public var tenantID: String
        public var clientID: String
        public var clientSecret: String
        public var tokenURL: String?
        public var scope: String
        public var maxBatchBytes: Int
        public var http: HTTPClientOptions

        public enum CodingKeys: String, OptionKey {
            case endpoint
            case dcrImmutableID = "dcr_immutable_id"
            case stream
            case tenantID = "tenant_id"
            case clientID = "client_id"
            case clientSecret = "client_secret"
            case tokenURL = "token_url"
            case scope
            case maxBatchBytes = "max_batch_bytes"
            public var isSecret: Bool { self == .clientSecret }
            public var help: String {
                switch self {
                case .endpoint: return "data collection endpoint (or DCR logs ingestion) URL"
                case .dcrImmutableID: return "the data collection rule's immutable id (dcr-…)"
                case .stream: return "stream declared in the rule, e.g. Custom-OversightBeacon"
                case .tenantID: return "Microsoft Entra tenant id"
                case .clientID: return "application (client) id of the app registration"
                case .clientSecret: return "its client secret, by reference: ${env:AZURE_CLIENT_SECRET}"
                case .tokenURL:
                    return
                        "token endpoint override; default https://login.microsoftonline.com/<tenant_id>/oauth2/v2.0/token"
                case .scope: return "OAuth scope of the token"
                case .maxBatchBytes: return "largest call before compression; at most 1000000, the API's limit"
                }
            }
        }

        public init() {
            endpoint = ""
            dcrImmutableID = ""
            stream = ""
            tenantID = ""
            clientID = ""
            clientSecret = ""
            tokenURL = nil
            scope = "https://monitor.azure.com//.default"
            maxBatchBytes = AzureLogsIngestionSink.maximumCallBytes
            http = HTTPClientOptions()
        }

        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&endpoint, .endpoint)
            try c.update(&dcrImmutableID, .dcrImmutableID)
            try c.update(&stream, .stream)
            try c.update(&tenantID, .tenantID)
            try c.update(&clientID, .clientID)
            try c.update(&clientSecret, .clientSecret)
            try c.update(&tokenURL, .tokenURL)
            try c.update(&scope, .scope)
            try c.update(&maxBatchBytes, .maxBatchBytes)
            http = try HTTPClientOptions(from: decoder)
        }

        public func validate() throws {
            try HTTPURLRules.check(endpoint, key: "endpoint")
            for (key, value) in [
                ("dcr_immutable_id", dcrImmutableID), ("stream", stream), ("tenant_id", tenantID),
                ("client_id", clientID),
                ("client_secret", clientSecret),
            ] where value.isEmpty {
                throw SIEMError.invalidOption(key: key, message: "is required")
            }
            if let tokenURL { try HTTPURLRules.check(tokenURL, key: "token_url") }
            if !(1_024...AzureLogsIngestionSink.maximumCallBytes).contains(maxBatchBytes) {
                throw SIEMError.invalidOption(
                    key: "max_batch_bytes", message: "must be from 1024 to 1000000 (the API's limit)")
            }
            try http.validate()
        }
    }

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
        // A JSON array of n records is their bytes with newlines, minus n newlines, plus n-1 commas and 2 brackets.
        let ranges = batch.chunks(maxRecords: .max, maxBytes: options.maxBatchBytes, overhead: 1)
        return try await ChunkedDelivery.send(batch, in: ranges) { try await post(batch.jsonArrayBody($0)) }
    }

    private func post(_ json: [UInt8]) async throws {
        var body = json
        var baseHeaders: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if options.http.compression == .gzip {
            body = Gzip.compress(json)
            baseHeaders.append(("Content-Encoding", "gzip"))
        }
        var refreshedAfter401 = false
        try await RetryPolicy(options.http).run(sink: name) { _ -> RetryPolicy.Outcome<Void> in
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
