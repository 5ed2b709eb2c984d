import CRdKafka
import Foundation

/// librdkafka's mock Kafka cluster (rdkafka_mock.h): brokers that speak the real Kafka protocol
/// on loopback TCP listeners, with error injection, brokers going down and up, and slow
/// brokers. Start one in a test, `stop()` it at the end (or let it go: deinit stops it).
///
/// It lives in an `rd_kafka_t` of its own, which does nothing else. What librdkafka 2.0.2's mock
/// does not do: SASL, TLS, broker-side size limits, and topic auto-creation switched off — any
/// Metadata request naming an unknown topic creates it (the mock speaks Metadata v0-2 only,
/// without the AllowAutoTopicCreation flag), so `setTopicError(_:_:)` stands in for a missing
/// or forbidden topic.
public final class KafkaMockCluster: @unchecked Sendable {
    /// Kafka protocol request types (ApiKey) that tests inject errors into.
    public enum Request: Int16, Sendable {
        case produce = 0
        case metadata = 3
        case initProducerID = 22
    }

    /// Error codes to inject: broker errors by their Kafka protocol number, and `transport`,
    /// which makes the mock broker drop the connection instead of answering.
    public enum InjectedError: Int32, Sendable {
        case transport = -195
        case unknownTopicOrPartition = 3
        case leaderNotAvailable = 5
        case notLeaderForPartition = 6
        case requestTimedOut = 7
        case notEnoughReplicas = 19
        case notEnoughReplicasAfterAppend = 20
        case topicAuthorizationFailed = 29
        case outOfOrderSequenceNumber = 45
    }

    /// `host:port,host:port,…` of the brokers, for `bootstrap.servers`.
    public let bootstrapServers: String
    public let brokerCount: Int
    private let lock = NSLock()
    private var client: OpaquePointer?
    private var cluster: OpaquePointer?

    /// A cluster of `brokers` brokers, with ids 1 through `brokers`.
    public init(brokers: Int = 3) throws {
        guard let conf = rd_kafka_conf_new() else { throw MockError("rd_kafka_conf_new failed") }
        var reason = [CChar](repeating: 0, count: 512)
        // The host handle has no bootstrap.servers of its own and says so at level 5; errors only.
        _ = rd_kafka_conf_set(conf, "log_level", "3", &reason, reason.count)
        guard let client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &reason, reason.count) else {
            rd_kafka_conf_destroy(conf)
            let text = reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw MockError("rd_kafka_new failed: \(text)")
        }
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw MockError("rd_kafka_mock_cluster_new failed")
        }
        self.client = client
        self.cluster = cluster
        brokerCount = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit { stop() }

    /// Destroys the cluster: its listeners close. Safe to call twice.
    public func stop() {
        let (cluster, client) = lock.withLock { () -> (OpaquePointer?, OpaquePointer?) in
            defer {
                self.cluster = nil
                self.client = nil
            }
            return (self.cluster, self.client)
        }
        if let cluster { rd_kafka_mock_cluster_destroy(cluster) }
        if let client { rd_kafka_destroy(client) }
    }

    /// Creates `topic` with `partitions` partitions, their leaders spread over the brokers.
    public func createTopic(_ topic: String, partitions: Int, replicationFactor: Int = 1) throws {
        let code = rd_kafka_mock_topic_create(try handle(), topic, Int32(partitions), Int32(replicationFactor))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockError("creating topic \(topic): \(String(cString: rd_kafka_err2str(code)))")
        }
    }

    /// Makes Metadata answers report `error` for `topic` (creating the topic if needed), the
    /// way a broker answers for a topic that does not exist or is not authorized.
    public func setTopicError(_ topic: String, _ error: InjectedError) throws {
        rd_kafka_mock_topic_set_error(try handle(), topic, rd_kafka_resp_err_t(error.rawValue))
    }

    /// The next `errors.count` requests of type `request`, to any broker, fail with these
    /// errors, one each, in order.
    public func failNextRequests(_ request: Request, with errors: [InjectedError]) throws {
        let codes = errors.map { rd_kafka_resp_err_t($0.rawValue) }
        let cluster = try handle()
        codes.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster, request.rawValue, $0.count, $0.baseAddress)
        }
    }

    /// Drops the broker's connections and refuses new ones; its partitions keep it as leader.
    /// No child process starts meanwhile (`ChildProcessLaunch`): one would make the mock's
    /// re-binding of the port fail, and the mock then aborts the process.
    public func takeBrokerDown(_ id: Int32) throws {
        let cluster = try handle()
        try ChildProcessLaunch.withoutLaunches {
            try check(rd_kafka_mock_broker_set_down(cluster, id), "taking broker \(id) down")
        }
    }

    /// Lets the broker accept connections again.
    public func bringBrokerUp(_ id: Int32) throws {
        try check(rd_kafka_mock_broker_set_up(try handle(), id), "bringing broker \(id) up")
    }

    /// Delays the broker's answers by `milliseconds`; -1 for every broker.
    public func setRoundTripTime(broker id: Int32, milliseconds: Int) throws {
        try check(rd_kafka_mock_broker_set_rtt(try handle(), id, Int32(milliseconds)), "setting broker \(id)'s RTT")
    }

    /// The leader broker of a partition (the mock picks them when the topic is created).
    public func setPartitionLeader(_ topic: String, partition: Int32, broker id: Int32) throws {
        try check(
            rd_kafka_mock_partition_set_leader(try handle(), topic, partition, id),
            "setting the leader of \(topic) [\(partition)]")
    }

    private func handle() throws -> OpaquePointer {
        guard let cluster = lock.withLock({ cluster }) else { throw MockError("the mock cluster is stopped") }
        return cluster
    }

    private func check(_ code: rd_kafka_resp_err_t, _ what: String) throws {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw MockError("\(what): \(String(cString: rd_kafka_err2str(code)))")
        }
    }

    public struct MockError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}

extension KafkaMockCluster {
    /// One message as an independent consumer read it back.
    public struct ConsumedRecord: Sendable, Equatable, Decodable {
        public var partition: Int32
        public var offset: Int64
        public var key: [UInt8]
        public var value: [UInt8]

        enum CodingKeys: String, CodingKey { case partition, offset, key, value }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            partition = try container.decode(Int32.self, forKey: .partition)
            offset = try container.decode(Int64.self, forKey: .offset)
            key = try Self.bytes(container, .key)
            value = try Self.bytes(container, .value)
        }

        private static func bytes(
            _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
        ) throws
            -> [UInt8]
        {
            let text = try container.decode(String.self, forKey: key)
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not base64")
            }
            return Array(data)
        }
    }

    /// Reads `topic` from the beginning with kafka-python, a pure-Python Kafka client from PyPI
    /// that shares no code with librdkafka (scripts/kafka-consume.py): at least `count`
    /// messages and everything up to the end of each partition, or what arrived within
    /// `timeoutSeconds` (a minute by default: under a loaded full suite a read that takes 2 s
    /// alone took over 20; a read that succeeds returns as soon as it has everything). Throws with the script's own words when it fails. The script runs on a
    /// dispatch thread: waiting for it must not hold one of the few threads that every test's
    /// async code shares.
    public func consumeWithKafkaPython(
        topic: String, count: Int, timeoutSeconds: Int = 60
    ) async throws
        -> [ConsumedRecord]
    {
        let script = RepositoryPaths.root.appendingPathComponent("scripts/kafka-consume.py").path
        let arguments = [
            "python3", script, bootstrapServers, topic, String(count), "--timeout", String(timeoutSeconds),
        ]
        let result = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try ExternalTool.run(arguments) }) }
        }
        guard result.status == 0 else {
            throw MockError("kafka-consume.py exited with \(result.status): \(result.stderr)")
        }
        let decoder = JSONDecoder()
        return try result.stdout.split(separator: UInt8(ascii: "\n")).map {
            try decoder.decode(ConsumedRecord.self, from: Data($0))
        }
    }
}
