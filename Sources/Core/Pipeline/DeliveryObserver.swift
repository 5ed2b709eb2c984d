/// Lets a sink report retries to whoever runs it (the metrics and logs of `run` and `export`)
/// without the plugin API carrying a metrics object: the runner binds an observer around each
/// delivery, and the shared retry loop reports through it.
public protocol DeliveryObserver: Sendable {
    /// Attempt `attempt` of at most `of` retries will start in `seconds`, because of `reason`.
    func willRetry(attempt: Int, of maximum: Int, inSeconds seconds: Double, reason: String)
}

public enum DeliveryObservation {
    @TaskLocal public static var observer: (any DeliveryObserver)?
}
