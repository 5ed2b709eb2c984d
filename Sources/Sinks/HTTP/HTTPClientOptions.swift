import SIEMCore

/// Transport and retry options every HTTP sink shares, flattened into the sink's own keys.
public struct HTTPClientOptions: PluginOptions {
    public enum HTTPVersion: String, OptionChoice {
        case auto
        case http11 = "1.1"
        case http2 = "2"
    }
    public enum Compression: String, OptionChoice { case none, gzip }

    public var timeoutMS = 30_000
    public var connectTimeoutMS = 10_000
    public var caFile: String?
    public var clientCert: String?
    public var clientKey: String?
    public var proxy: String?
    public var httpVersion = HTTPVersion.auto
    public var compression = Compression.none
    public var retry = RetryOptions()
    public var concurrency = 2

    public static let specs: [OptionSpec<HTTPClientOptions>] =
        [
            .init("timeout_ms", \.timeoutMS, help: "whole-request timeout", range: 1...3_600_000),
            .init("connect_timeout_ms", \.connectTimeoutMS, help: "TCP and TLS connect timeout", range: 1...600_000),
            .init(
                "ca_file", \.caFile,
                help: "PEM bundle of CAs to trust instead of the system's (certificates are always verified)"),
            .init("client_cert", \.clientCert, help: "PEM client certificate, for mutual TLS"),
            .init("client_key", \.clientKey, help: "PEM private key of client_cert"),
            .init(
                "proxy", \.proxy,
                help: "proxy URL; unset: the http_proxy/https_proxy/no_proxy environment variables apply"),
            .init("http_version", \.httpVersion, help: "auto (HTTP/2 over TLS when offered, else 1.1), 1.1, or 2"),
            .init("compression", \.compression, help: "none, or gzip request bodies"),
        ] + .group(\.retry)
        + [
            .init(
                "concurrency", \.concurrency,
                help:
                    "batches in flight at once, each on its own keep-alive connection (checkpoints still advance in order)",
                range: 1...16)
        ]

    public init() {}

    public func validateCombination() throws {
        if (clientCert == nil) != (clientKey == nil) {
            throw SIEMError.invalidOption(
                key: clientCert == nil ? "client_cert" : "client_key", message: "client_cert and client_key go together"
            )
        }
        try retry.validateCombination()
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
