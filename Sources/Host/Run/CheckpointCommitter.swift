import Foundation
import SIEMCore

/// Writes checkpoints to the state file on a thread of its own, so the fsync that makes batch N's
/// checkpoint durable overlaps the delivery of batch N+1 instead of delaying it (about a tenth of
/// an HTTP run's time was that fsync).
///
/// One checkpoint is written at a time, and `record` waits for the one before it: a crash at
/// any moment loses at most the latest recorded checkpoint, so a restart re-sends at most the
/// batch whose checkpoint was being written besides the batch in flight. A failed write is
/// reported by the next `record` or `flush`, never dropped.
final class CheckpointCommitter: @unchecked Sendable {
    private let store: CheckpointStore
    private let source: String
    private let condition = NSCondition()
    private var pending: (pipeline: String, position: SourcePosition)?
    private var writing = false
    private var failure: (any Error)?
    private var stopped = false
    private let exited = DispatchSemaphore(value: 0)

    init(store: CheckpointStore, source: String) {
        self.store = store
        self.source = source
        let thread = Thread { [self] in
            commitLoop()
            exited.signal()
        }
        thread.name = "siem-export.checkpoint"
        thread.start()
    }

    /// Hands over `pipeline`'s new checkpoint, once the previous one is durable.
    func record(pipeline: String, position: SourcePosition) throws {
        condition.lock()
        defer { condition.unlock() }
        while writing || pending != nil { condition.wait() }
        if let failure { throw failure }
        pending = (pipeline, position)
        condition.broadcast()
    }

    /// Waits until every recorded checkpoint is durable.
    func flush() throws {
        condition.lock()
        defer { condition.unlock() }
        while writing || pending != nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Flushes, then ends the thread.
    func close() throws {
        defer {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
            exited.wait()
        }
        try flush()
    }

    private func commitLoop() {
        condition.lock()
        while true {
            while pending == nil && !stopped { condition.wait() }
            guard let next = pending else { break }
            writing = true
            condition.unlock()
            var error: (any Error)?
            do {
                try store.advance(pipeline: next.pipeline, source: source, to: next.position)
            } catch let caught {
                error = caught
            }
            condition.lock()
            if let error, failure == nil { failure = error }
            pending = nil
            writing = false
            condition.broadcast()
        }
        condition.unlock()
    }
}
