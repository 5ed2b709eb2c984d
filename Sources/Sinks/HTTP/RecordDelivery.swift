import SIEMCore

/// Delivers a batch's records so that no single record can stop a pipeline: requests are cut to
/// the receiver's size limit, a request the receiver refuses for what it carries (invalid data, a
/// 413) is halved until the record at fault stands alone, and that record is refused — set aside
/// for the runner's dead-letter file with the receiver's reason — while the rest is delivered.
///
/// A record whose request alone would exceed the receiver's limit is refused without a round
/// trip. Per-record answers (Elasticsearch `_bulk` items) are honoured record by record: taken,
/// refused, or sent again after back-off. When the receiver refuses every record of a batch of
/// several, the fault is its configuration (credentials, an index mapping, the endpoint), not the
/// events: the pipeline stops and nothing is dead-lettered.
struct RecordDelivery<Ack: Sendable>: Sendable {
    let sink: String
    let retry: RetryPolicy
    /// The receiver's limit on one request body, uncompressed; nil when none is known.
    let requestLimit: Int?
    /// The receiver, as the too-large reason names it ("Azure Logs Ingestion").
    let receiver: String

    /// What the receiver made of one request carrying some records.
    enum Answer: Sendable {
        case accepted(Ack)
        /// Refused as a whole for what it carries: split and sent again.
        case refused(String)
        /// An answer per record, in request order.
        case perRecord([RecordAnswer])
    }

    enum RecordAnswer: Sendable {
        case accepted
        case refused(String)
        case retry(String)
    }

    /// What one batch came to.
    struct Settled: Sendable {
        /// Each accepted request's acknowledgement and the records it carried.
        var acks: [(ack: Ack, items: [Int])] = []
        var refused: [Refusal] = []
    }

    /// Sends `batch` in order, in requests of at most `maxBytes` (and at most the receiver's
    /// limit), halving one the receiver refuses; `send` posts the records given (in order) and
    /// says what the receiver answered. A failure after earlier requests were settled is a
    /// `PartialDelivery` of those.
    func deliver(
        _ batch: EncodedBatch, maxBytes: Int, send: ([Int]) async throws -> Answer
    ) async throws -> Settled {
        var settled = Settled()
        for range in batch.chunks(maxBytes: min(maxBytes, requestLimit ?? .max)) {
            var next = settled
            do {
                try await deliver(batch, Array(range), into: &next, send: send)
            } catch let error as SIEMError {
                guard range.lowerBound > 0 else { throw error }
                throw PartialDelivery(
                    Delivery(accepted: range.lowerBound - settled.refused.count, refused: settled.refused),
                    error: error)
            }
            settled = next
        }
        if settled.refused.count == batch.count && batch.count > 1 {
            throw SIEMError.delivery(
                sink: sink,
                message:
                    "the receiver refused every record of a batch of \(batch.count) (the last: \(settled.refused.last!.reason)); that points at its configuration, not at the events, so none was dead-lettered",
                retryable: false)
        }
        return settled
    }

    private func deliver(
        _ batch: EncodedBatch, _ items: [Int], into settled: inout Settled, send: ([Int]) async throws -> Answer
    ) async throws {
        if let limit = requestLimit, batch.bodySize(items: items) > limit {
            guard items.count > 1 else {
                let size = batch.bodySize(items: items)
                settled.refused.append(
                    Refusal(
                        index: items[0],
                        reason:
                            "the record makes a request of \(size) bytes; \(receiver) takes at most \(limit) (not sent)"
                    ))
                return
            }
            try await halve(batch, items, into: &settled, send: send)
            return
        }
        var pending = items
        var retries = 0
        while true {
            switch try await send(pending) {
            case .accepted(let ack):
                settled.acks.append((ack, pending))
                return
            case .refused(let reason):
                guard pending.count > 1 else {
                    settled.refused.append(Refusal(index: pending[0], reason: reason))
                    return
                }
                try await halve(batch, pending, into: &settled, send: send)
                return
            case .perRecord(let answers):
                var again: [Int] = []
                var reason = ""
                for (item, answer) in zip(pending, answers) {
                    switch answer {
                    case .accepted: continue
                    case .refused(let why): settled.refused.append(Refusal(index: item, reason: why))
                    case .retry(let why):
                        again.append(item)
                        reason = why
                    }
                }
                guard !again.isEmpty else { return }
                guard retries < retry.maxRetries else {
                    throw SIEMError.delivery(
                        sink: sink,
                        message:
                            "\(again.count) record(s) still not taken, last \(reason); gave up after \(retry.maxRetries) retries",
                        retryable: true)
                }
                let wait = retry.delay(retry: retries, retryAfter: nil)
                DeliveryObservation.observer?.willRetry(
                    attempt: retries + 1, of: retry.maxRetries, inSeconds: wait,
                    reason: "\(again.count) record(s) not yet taken, last \(reason)")
                try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                retries += 1
                pending = again
            }
        }
    }

    private func halve(
        _ batch: EncodedBatch, _ items: [Int], into settled: inout Settled, send: ([Int]) async throws -> Answer
    ) async throws {
        let middle = items.count / 2
        try await deliver(batch, Array(items[..<middle]), into: &settled, send: send)
        try await deliver(batch, Array(items[middle...]), into: &settled, send: send)
    }
}

extension RecordDelivery.Settled {
    /// Records taken: every record not refused (for a receiver without acknowledgements).
    func delivery(of batch: EncodedBatch) -> Delivery {
        Delivery(accepted: batch.count - refused.count, refused: refused.sorted { $0.index < $1.index })
    }
}
