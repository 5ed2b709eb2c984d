import CRdKafka
import Foundation

/// One `send` call waiting for the delivery report of each of its messages.
///
/// Each message's `msg_opaque` points at its slot, which names the batch and the message's
/// index, so a report (in any order across partitions) lands at the right place without a
/// lookup table. Reports are served on whichever thread polls librdkafka (the poll thread, or
/// a producing thread waiting for queue space), hence the lock.
final class KafkaPendingBatch: @unchecked Sendable {
    /// A continuation to resume, with what to resume it with; resumed outside the lock.
    private typealias Completion = (
        continuation: CheckedContinuation<[KafkaDeliveryResult], Never>, results: [KafkaDeliveryResult]
    )

    private struct Slot {
        let batch: Unmanaged<KafkaPendingBatch>
        let index: Int
    }

    private let lock = NSLock()
    private var results: [KafkaDeliveryResult?]
    /// Messages without a result yet.
    private var unresolved: Int
    private var continuation: CheckedContinuation<[KafkaDeliveryResult], Never>?
    private var finished: [KafkaDeliveryResult]?
    private let slots: UnsafeMutablePointer<Slot>

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        unresolved = count
        slots = .allocate(capacity: max(count, 1))
        // Unretained: the producer keeps the batch registered (a strong reference) until every
        // report is in, and no report can come after that.
        let unmanaged = Unmanaged.passUnretained(self)
        for index in 0..<count { (slots + index).initialize(to: Slot(batch: unmanaged, index: index)) }
    }

    deinit {
        slots.deinitialize(count: results.count)
        slots.deallocate()
    }

    /// The `msg_opaque` for message `index`.
    func opaque(for index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// The result of message `index`, from its delivery report or a refusal at produce time.
    /// A report may come before `rd_kafka_produce` has even returned.
    func record(_ result: KafkaDeliveryResult, at index: Int) {
        let resume = lock.withLock { () -> Completion? in
            guard finished == nil, results[index] == nil else { return nil }
            results[index] = result
            unresolved -= 1
            return takeIfComplete()
        }
        if let resume { resume.continuation.resume(returning: resume.results) }
    }

    /// Fails every message still without a result: only once librdkafka is destroyed, when no
    /// report can come any more.
    func failUnreported(with error: KafkaError) {
        let resume = lock.withLock { () -> Completion? in
            guard finished == nil else { return nil }
            for index in results.indices where results[index] == nil { results[index] = .failed(error) }
            unresolved = 0
            return takeIfComplete()
        }
        if let resume { resume.continuation.resume(returning: resume.results) }
    }

    /// Waits for every result; `start` runs once the continuation is in place.
    func results(start: @Sendable () -> Void) async -> [KafkaDeliveryResult] {
        await withCheckedContinuation { continuation in
            let early = lock.withLock { () -> [KafkaDeliveryResult]? in
                if let finished { return finished }
                self.continuation = continuation
                return nil
            }
            if let early {
                continuation.resume(returning: early)
                return
            }
            start()
        }
    }

    /// Under the lock: the continuation and results once all are in.
    private func takeIfComplete() -> Completion? {
        guard finished == nil, unresolved == 0 else { return nil }
        let all = results.map { $0! }
        finished = all
        guard let continuation else { return nil }
        self.continuation = nil
        return (continuation, all)
    }

    /// The batch a report's `msg_opaque` names, and the message's index in it.
    static func slot(_ opaque: UnsafeMutableRawPointer) -> (batch: KafkaPendingBatch, index: Int) {
        let slot = opaque.assumingMemoryBound(to: Slot.self).pointee
        return (slot.batch.takeUnretainedValue(), slot.index)
    }
}
