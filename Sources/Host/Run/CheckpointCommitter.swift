import Foundation
import SIEMCore

/// Writes checkpoints to the state file on a thread of its own, so the fsync that makes batch N's
/// checkpoint durable overlaps the delivery of batch N+1 instead of delaying it (about a tenth of
/// an HTTP run's time was that fsync).
///
/// A pipeline's checkpoint waits for its previous one to be durable: a crash at any moment loses
/// at most the latest one recorded, so a restart re-sends at most the batch whose checkpoint was
/// being written besides the batch in flight. Pipelines do not wait for each other: what they
/// record while a write is under way goes into the next one, one transaction and one fsync for
/// all of them (three pipelines had each waited for the others' fsyncs in turn). A failed write
/// is reported by the next `record` or `flush`, never dropped.
final class CheckpointCommitter: @unchecked Sendable {
    private let store: CheckpointStore
    private let source: String
    private let condition = NSCondition()
    /// Recorded and not yet being written, by pipeline.
    private var pending: [String: SourcePosition] = [:]
    /// Being written now.
    private var writing: Set<String> = []
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

    /// Hands over `pipeline`'s new checkpoint, once its previous one is durable.
    func record(pipeline: String, position: SourcePosition) throws {
        condition.lock()
        defer { condition.unlock() }
        while failure == nil && (writing.contains(pipeline) || pending[pipeline] != nil) { condition.wait() }
        if let failure { throw failure }
        pending[pipeline] = position
        condition.broadcast()
    }

    /// Waits until every recorded checkpoint is durable.
    func flush() throws {
        condition.lock()
        defer { condition.unlock() }
        while failure == nil && (!writing.isEmpty || !pending.isEmpty) { condition.wait() }
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
            while pending.isEmpty && !stopped { condition.wait() }
            guard !pending.isEmpty else { break }
            let batch = pending.sorted { $0.key < $1.key }.map { (pipeline: $0.key, position: $0.value) }
            pending = [:]
            writing = Set(batch.map(\.pipeline))
            condition.unlock()
            var error: (any Error)?
            do {
                try store.advance(batch, source: source)
            } catch let caught {
                error = caught
            }
            condition.lock()
            if let error, failure == nil { failure = error }
            writing = []
            condition.broadcast()
        }
        condition.unlock()
    }
}
