import SIEMCore

/// What the delivery reports of one batch have said so far: each record accepted, refused for
/// good, or not yet settled (to send again, or to fail the batch at).
struct KafkaBatchOutcome {
    enum Settlement {
        case accepted
        case refused(String)
    }

    /// The records whose reports did not settle them, by what to do next.
    struct Unsettled {
        /// The producer turned fatal: send these again through a new one.
        var fatal: [(index: Int, error: KafkaError)] = []
        /// Not delivered within librdkafka's retries: the batch fails, retryable.
        var retryable: [(index: Int, error: KafkaError)] = []
        /// Concerns every message (the topic went away, authorization was revoked).
        var configuration: KafkaError?
    }

    private var settlements: [Settlement?]

    init(count: Int) {
        settlements = Array(repeating: nil, count: count)
    }

    /// Takes the results of sending the records `indices` (in that order).
    mutating func record(_ results: [KafkaDeliveryResult], for indices: [Int]) -> Unsettled {
        var unsettled = Unsettled()
        for (index, result) in zip(indices, results) {
            switch result {
            case .delivered:
                settlements[index] = .accepted
            case .failed(let error):
                switch error.kind {
                case .refusedMessage: settlements[index] = .refused(error.description)
                case .fatal: unsettled.fatal.append((index, error))
                case .retryable: unsettled.retryable.append((index, error))
                case .configuration: unsettled.configuration = unsettled.configuration ?? error
                }
            }
        }
        return unsettled
    }

    /// Every record settled: how many were accepted, and which were refused and why.
    var delivery: Delivery { delivery(ofFirst: settlements.count) }

    /// `error`, with the records settled before the first unsettled one kept: a
    /// `PartialDelivery` the runner checkpoints, or the error alone when there are none. Messages
    /// go to partitions in parallel, so records after an unsettled one may be delivered too;
    /// they are sent again with it (at least once).
    func failure(_ error: SIEMError) -> any Error {
        let prefix = settlements.firstIndex { $0 == nil } ?? settlements.count
        guard prefix > 0 else { return error }
        return PartialDelivery(delivery(ofFirst: prefix), error: error)
    }

    private func delivery(ofFirst count: Int) -> Delivery {
        var accepted = 0
        var refused: [Refusal] = []
        for (index, settlement) in settlements.prefix(count).enumerated() {
            switch settlement {
            case .accepted: accepted += 1
            case .refused(let reason): refused.append(Refusal(index: index, reason: reason))
            case nil: break
            }
        }
        return Delivery(accepted: accepted, refused: refused)
    }
}
