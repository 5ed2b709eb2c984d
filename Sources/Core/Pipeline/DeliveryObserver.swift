/// Lets a sink report retries to whoever runs it (the metrics of `run`) without the plugin API
/// carrying a metrics object: the runner binds an observer around each delivery, and the shared
/// retry loop reports through it.
public protocol DeliveryObserver: Sendable {
    /// A request is about to be sent again after a retryable failure.
    func willRetry(reason: String)
}

public enum DeliveryObservation {
    @TaskLocal public static var observer: (any DeliveryObserver)?
}
