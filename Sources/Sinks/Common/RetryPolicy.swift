import SIEMCore

/// Exponential back-off with jitter, honouring a receiver's `Retry-After`, for a bounded number
/// of retries. "Equal jitter": each wait is drawn between half and all of the doubled delay, so
/// many exporters restarted together do not retry in lock-step.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var initialSeconds: Double
    public var maxSeconds: Double

    public init(maxRetries: Int, initialSeconds: Double, maxSeconds: Double) {
        self.maxRetries = maxRetries
        self.initialSeconds = initialSeconds
        self.maxSeconds = maxSeconds
    }

    /// How long to wait before retry number `retry` (0-based).
    public func delay(retry: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maxSeconds) }
        let doubled = min(maxSeconds, initialSeconds * Double(1 << min(retry, 30)))
        return Double.random(in: (doubled / 2)...doubled)
    }

    /// What one attempt came to.
    public enum Outcome<T: Sendable>: Sendable {
        case done(T)
        case retry(reason: String, retryAfter: Double?)
    }

    /// Runs `attempt` until it is done, throws, or retries run out; then throws a retryable
    /// `SIEMError.delivery` naming the last reason.
    public func run<T: Sendable>(sink: String, _ attempt: (_ number: Int) async throws -> Outcome<T>) async throws -> T
    {
        var retry = 0
        while true {
            switch try await attempt(retry) {
            case .done(let value):
                return value
            case .retry(let reason, let retryAfter):
                guard retry < maxRetries else {
                    throw SIEMError.delivery(
                        sink: sink,
                        message: "\(reason); gave up after \(maxRetries) retr\(maxRetries == 1 ? "y" : "ies")",
                        retryable: true)
                }
                DeliveryObservation.observer?.willRetry(reason: reason)
                try await Task.sleep(nanoseconds: UInt64(delay(retry: retry, retryAfter: retryAfter) * 1_000_000_000))
                retry += 1
            }
        }
    }

    /// `Retry-After` as delta-seconds (RFC 9110 §10.2.3); an HTTP-date falls back to back-off.
    public static func retryAfter(_ response: HTTPResponse) -> Double? {
        guard let value = response.header("Retry-After"), let seconds = Double(value), seconds >= 0 else { return nil }
        return seconds
    }

    /// Statuses worth another try: timeouts, throttling and server-side failures.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status) && status != 501 && status != 505
    }
}
