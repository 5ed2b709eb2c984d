import CRdKafka
import Dispatch
import Foundation

/// The thread that serves one producer's callback queue: delivery reports and error callbacks
/// run only inside `rd_kafka_poll` (or `rd_kafka_flush`), on the polling thread
/// (INTRODUCTION.md, "Threads and callbacks").
///
/// A thread of its own rather than polling from `send`: a send that awaits its reports must
/// not hold one of Swift's few cooperative threads inside a blocking librdkafka call, and
/// reports for one send must keep flowing while another send is still producing. `stop` uses
/// `rd_kafka_yield` to end the current poll at once instead of waiting out its timeout.
final class KafkaPollThread: @unchecked Sendable {
    private let client: OpaquePointer
    private let lock = NSLock()
    private var stopRequested = false
    private let stopped = DispatchSemaphore(value: 0)

    init(client: OpaquePointer) { self.client = client }

    func start() {
        let thread = Thread { [self] in
            while !lock.withLock({ stopRequested }) { rd_kafka_poll(client, 200) }
            stopped.signal()
        }
        thread.name = "siem-export.kafka-poll"
        thread.start()
    }

    /// Returns once the thread has left its loop; the client may then be destroyed.
    func stop() {
        lock.withLock { stopRequested = true }
        rd_kafka_yield(client)
        stopped.wait()
    }
}
