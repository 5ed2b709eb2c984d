import SIEMCore

/// How often and how patiently a sink retries a failed send: the same keys, help and rules for
/// every network sink (HTTP ones and syslog).
public struct RetryOptions: PluginOptions {
    public var maxRetries = 8
    public var retryInitialMS = 500
    public var retryMaxMS = 60_000

    public static let specs: [OptionSpec<RetryOptions>] = [
        .init(
            "max_retries", \.maxRetries,
            help: "retries of a failed send (a request, or a reconnect and re-send) before the run stops (0: none)",
            range: 0...1_000),
        .init(
            "retry_initial_ms", \.retryInitialMS, help: "first back-off; doubled each retry, with jitter",
            range: 1...3_600_000),
        .init(
            "retry_max_ms", \.retryMaxMS,
            help: "longest back-off, also the cap on a Retry-After the receiver asks for", range: 1...3_600_000),
    ]

    public init() {}

    public func validateCombination() throws {
        if retryMaxMS < retryInitialMS {
            throw SIEMError.invalidOption(key: "retry_max_ms", message: "must be at least retry_initial_ms")
        }
    }

    /// The back-off these options describe.
    public var policy: RetryPolicy {
        RetryPolicy(
            maxRetries: maxRetries, initialSeconds: Double(retryInitialMS) / 1_000,
            maxSeconds: Double(retryMaxMS) / 1_000)
    }
}
