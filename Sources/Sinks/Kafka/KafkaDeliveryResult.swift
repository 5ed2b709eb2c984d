/// What became of one message given to `KafkaProducer.send`, decided by its delivery report.
public enum KafkaDeliveryResult: Sendable, Equatable {
    /// The broker acknowledged the message (acks=all: every in-sync replica has it). `offset`
    /// is -1 when the broker answered DUPLICATE_SEQUENCE_NUMBER: a retry of a message it had
    /// already written, which librdkafka counts as delivered without an offset
    /// (INTRODUCTION.md, "Idempotent Producer").
    case delivered(partition: Int32, offset: Int64)
    /// Not delivered, or not known to be: see `KafkaError.kind` for what to do.
    case failed(KafkaError)

    public var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }

    public var error: KafkaError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}
