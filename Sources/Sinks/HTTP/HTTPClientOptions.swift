import SIEMCore

/// Transport and retry options every HTTP sink shares, flattened into the sink's own keys.
public struct HTTPClientOptions: FlattenedOptions {
    public enum HTTPVersion: String, OptionChoice {
        case auto
        case http11 = "1.1"
        case http2 = "2"
    }
    public enum Compression: String, OptionChoice { case none, gzip }

    public var timeoutMS: Int
    public var connectTimeoutMS: Int
    public var caFile: String?
    public var clientCert: String?
    public var clientKey: String?
    public var proxy: String?
    public var httpVersion: HTTPVersion
    public var compression: Compression
    public var maxRetries: Int
    public var retryInitialMS: Int
    public var retryMaxMS: Int
    public var concurrency: Int

    public enum CodingKeys: String, OptionKey {
        case timeoutMS = "timeout_ms"
        case connectTimeoutMS = "connect_timeout_ms"
        case caFile = "ca_file"
        case clientCert = "client_cert"
        case clientKey = "client_key"
        case proxy
        case httpVersion = "http_version"
        case compression
        case maxRetries = "max_retries"
        case retryInitialMS = "retry_initial_ms"
        case retryMaxMS = "retry_max_ms"
        case concurrency

        public var help: String {
            switch self {
            case .timeoutMS: return "whole-request timeout"
            case .connectTimeoutMS: return "TCP and TLS connect timeout"
            case .caFile: return "PEM bundle of CAs to trust instead of the system's (certificates are always verified)"
            case .clientCert: return "PEM client certificate, for mutual TLS"
            case .clientKey: return "PEM private key of client_cert"
            case .proxy: return "proxy URL; unset: the http_proxy/https_proxy/no_proxy environment variables apply"
            case .httpVersion: return "auto (HTTP/2 over TLS when offered, else 1.1), 1.1, or 2"
            case .compression: return "none, or gzip request bodies"
            case .maxRetries: return "retries of a failed request before the run stops (0: none)"
            case .retryInitialMS: return "first back-off; doubled each retry, with jitter"
            case .retryMaxMS: return "longest back-off, also the cap on a Retry-After the receiver asks for"
            case .concurrency:
                return
                    "batches in flight at once, each on its own keep-alive connection (checkpoints still advance in order)"
            }
        }
    }

    public init() {
        timeoutMS = 30_000
        connectTimeoutMS = 10_000
        caFile = nil
        clientCert = nil
        clientKey = nil
        proxy = nil
        httpVersion = .auto
        compression = .none
        maxRetries = 8
        retryInitialMS = 500
        retryMaxMS = 60_000
        concurrency = 2
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&timeoutMS, .timeoutMS)
        try c.update(&connectTimeoutMS, .connectTimeoutMS)
        try c.update(&caFile, .caFile)
        try c.update(&clientCert, .clientCert)
        try c.update(&clientKey, .clientKey)
        try c.update(&proxy, .proxy)
        try c.update(&httpVersion, .httpVersion)
        try c.update(&compression, .compression)
        try c.update(&maxRetries, .maxRetries)
        try c.update(&retryInitialMS, .retryInitialMS)
        try c.update(&retryMaxMS, .retryMaxMS)
        try c.update(&concurrency, .concurrency)
    }

    public func validate() throws {
        if !(1...3_600_000).contains(timeoutMS) {
            throw SIEMError.invalidOption(key: "timeout_ms", message: "must be from 1 to 3600000")
        }
        if !(1...600_000).contains(connectTimeoutMS) {
            throw SIEMError.invalidOption(key: "connect_timeout_ms", message: "must be from 1 to 600000")
        }
        if (clientCert == nil) != (clientKey == nil) {
            throw SIEMError.invalidOption(
                key: clientCert == nil ? "client_cert" : "client_key", message: "client_cert and client_key go together"
            )
        }
        if !(0...1_000).contains(maxRetries) {
            throw SIEMError.invalidOption(key: "max_retries", message: "must be from 0 to 1000")
        }
        if !(1...16).contains(concurrency) {
            throw SIEMError.invalidOption(key: "concurrency", message: "must be from 1 to 16")
        }
        if retryInitialMS < 1 || retryMaxMS < retryInitialMS {
            throw SIEMError.invalidOption(key: "retry_max_ms", message: "must be at least retry_initial_ms (≥ 1)")
        }
    }

    /// The options with relative file paths resolved against the config's directory.
    public func resolved(in context: PluginContext) -> HTTPClientOptions {
        var copy = self
        copy.caFile = caFile.map(context.resolve(path:))
        copy.clientCert = clientCert.map(context.resolve(path:))
        copy.clientKey = clientKey.map(context.resolve(path:))
        return copy
    }
}
