import Foundation
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
    /// `SIEMError.delivery` naming the last reason. Each retry is reported to the delivery
    /// observer with its number and wait (`attempt 2/8, next in 1.4 s: …`).
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
                let wait = delay(retry: retry, retryAfter: retryAfter)
                DeliveryObservation.observer?.willRetry(
                    attempt: retry + 1, of: maxRetries, inSeconds: wait, reason: reason)
                try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                retry += 1
            }
        }
    }

    /// `Retry-After` (RFC 9110 §10.2.3) in seconds from `now`: delta-seconds, or an HTTP-date in
    /// any of the three forms a recipient must accept (§5.6.7: IMF-fixdate, RFC 850, asctime). A
    /// date in the past means now; anything unreadable falls back to back-off (nil).
    public static func retryAfter(_ response: HTTPResponse, now: Date = Date()) -> Double? {
        guard let value = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces), !value.isEmpty
        else { return nil }
        if value.allSatisfy(\.isNumber) { return Double(value) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: value.replacingOccurrences(of: "  ", with: " ")) {
                return max(0, date.timeIntervalSince(now))
            }
        }
        return nil
    }

    /// Statuses worth another try: timeouts, throttling and server-side failures.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status) && status != 501 && status != 505
    }
}
