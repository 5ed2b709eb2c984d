/// What `KafkaProducer.checkConnection` learned: the topic exists, with this many partitions,
/// on a cluster of this many brokers.
public struct KafkaTopicMetadata: Sendable, Equatable {
    public var topic: String
    public var partitionCount: Int
    public var brokerCount: Int

    public init(topic: String, partitionCount: Int, brokerCount: Int) {
        self.topic = topic
        self.partitionCount = partitionCount
        self.brokerCount = brokerCount
    }
}
