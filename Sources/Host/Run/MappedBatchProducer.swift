import Foundation
import SIEMCore

/// Reads and maps batches on a thread of its own, at most `capacity` batches ahead of the
/// formatting and delivery that consume them, so the two halves of an export use both cores
/// while memory stays bounded by a few batches.
///
/// The source's reader is used by this thread only, from start to `finish()`.
final class MappedBatchProducer: @unchecked Sendable {
    /// One mapped batch: its events and their rows' positions, the position of its last row
    /// (the checkpoint it allows), and the error that cut it short (a bad row: the events before
    /// it are here, the rest never read).
    struct Batch {
        var events: [Event]
        var positions: [SourcePosition]
        var end: SourcePosition?
        var failure: (any Error)?
        /// Positions of rows that could not become events and went to the dead-letter file.
        var deadLettered: [SourcePosition] = []
    }

    enum Item {
        case batch(Batch)
        case finished
        case failed(any Error)
    }

    private let condition = NSCondition()
    private var queue: [Item] = []
    private var waiting: CheckedContinuation<Item, Never>?
    private var cancelled = false
    private let capacity: Int
    private let exited = DispatchSemaphore(value: 0)

    /// With `deadLetter`, a row the mapper refuses is written there (durably, before its batch is
    /// handed over) and the run goes on; without it, the batch ends at that row.
    init(
        reader: any RowReader, mapper: any EventMapper, batchSize: Int, limit: Int?,
        deadLetter: (any DeadLetterDestination)? = nil,
        capacity: Int = 2
    ) {
        self.capacity = capacity
        let reader = UncheckedSendable(reader)
        let thread = Thread { [self] in
            produce(reader.value, mapper, deadLetter, batchSize, limit ?? .max)
            exited.signal()
        }
        thread.name = "siem-export.read"
        thread.start()
    }

    private func produce(
        _ reader: any RowReader, _ mapper: any EventMapper, _ deadLetter: (any DeadLetterDestination)?,
        _ batchSize: Int,
        _ limit: Int
    ) {
        var remaining = limit
        var rows = RowBatch(columns: reader.columns, capacity: batchSize)
        while remaining > 0 {
            do {
                try reader.next(into: &rows, max: min(batchSize, remaining))
            } catch {
                _ = put(.failed(error))
                return
            }
            if rows.isEmpty { break }
            remaining -= rows.count
            var events: [Event] = []
            var positions: [SourcePosition] = []
            events.reserveCapacity(rows.count)
            positions.reserveCapacity(rows.count)
            var failure: (any Error)?
            var rejected: [(row: Int, reason: String)] = []
            var lastHandled: SourcePosition?
            for row in 0..<rows.count {
                do {
                    events.append(try mapper.map(rows, row: row))
                    positions.append(rows.position(row))
                    lastHandled = rows.position(row)
                } catch let error as SIEMError where deadLetter != nil && error.badRowReason != nil {
                    rejected.append((row, error.badRowReason!))
                    lastHandled = rows.position(row)
                } catch {
                    failure = error
                    break
                }
            }
            if let deadLetter, !rejected.isEmpty {
                do {
                    try deadLetter.write(rows: rejected, of: rows)
                } catch {
                    _ = put(.failed(error))
                    return
                }
            }
            let end = failure == nil ? rows.position(rows.count - 1) : lastHandled
            // The rows let go of their arena here, before the events go to the other thread: done
            // at the next read instead, both threads would count references to the same arena at
            // once, and every count would move its cache line between the cores.
            let deadLettered = rejected.map { rows.position($0.row) }
            rows.removeAll()
            let batch = Batch(
                events: events, positions: positions, end: end, failure: failure, deadLettered: deadLettered)
            guard put(.batch(batch)), failure == nil else { return }
        }
        _ = put(.finished)
    }

    /// Hands an item over, waiting while `capacity` items are queued; false once cancelled.
    private func put(_ item: Item) -> Bool {
        condition.lock()
        while queue.count >= capacity && !cancelled { condition.wait() }
        if cancelled {
            condition.unlock()
            return false
        }
        if let waiting {
            self.waiting = nil
            condition.unlock()
            waiting.resume(returning: item)
            return true
        }
        queue.append(item)
        condition.unlock()
        return true
    }

    /// The next item, waiting for the reader if it is behind.
    func next() async -> Item {
        await withCheckedContinuation { continuation in
            condition.lock()
            if queue.isEmpty {
                waiting = continuation
                condition.unlock()
            } else {
                let item = queue.removeFirst()
                condition.signal()
                condition.unlock()
                continuation.resume(returning: item)
            }
        }
    }

    /// Stops the reader and waits for its thread to end, so nothing touches the source afterwards.
    func finish() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
        exited.wait()
    }
}
