import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM as a graceful stop: the first asks the run to stop after the batch in
/// flight (its checkpoint saved), the second abandons that batch too (its checkpoint not
/// advanced, so the next run sends it again). Either way the run ends with its summary, exit 0.
public final class StopSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var sources: [any DispatchSourceSignal] = []
    private var abandon: (@Sendable () -> Void)?

    public init() {}

    /// Whether a stop was asked for; the runner checks it between batches.
    public var stopRequested: Bool { lock.withLock { count > 0 } }

    /// Installs the handlers; `abandon` runs on the second signal (it cancels the run's task).
    public func install(abandon: @escaping @Sendable () -> Void) {
        lock.withLock { self.abandon = abandon }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in received() }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    private func received() {
        let (seen, abandon) = lock.withLock { () -> (Int, (@Sendable () -> Void)?) in
            count += 1
            return (count, self.abandon)
        }
        if seen == 1 {
            StandardError.print("stopping after the batch in flight (signal again to abandon it)")
        } else if seen == 2 {
            abandon?()
        }
    }
}
