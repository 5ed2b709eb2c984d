import Foundation
import SIEMSinks
import SIEMTestSupport
import Testing

/// `KafkaProducer.checkConnection` and what `send` reports when the cluster is not there: one
/// line naming what failed, the right kind, no secret.
@Suite struct KafkaProducerConnectionCheckTests {
    static func config(_ servers: String, topic: String = "security-events") -> KafkaProducerConfig {
        var config = KafkaProducerConfig(bootstrapServers: servers.split(separator: ",").map(String.init), topic: topic)
        config.messageTimeoutMS = 1_000
        return config
    }

    static func checkError(_ producer: KafkaProducer, timeout: Duration = .seconds(5)) async -> KafkaError? {
        do {
            let metadata = try await producer.checkConnection(timeout: timeout)
            Issue.record("the check passed: \(metadata)")
            return nil
        } catch let error as KafkaError {
            return error
        } catch {
            Issue.record("not a KafkaError: \(error)")
            return nil
        }
    }

    @Test func aTopicThatDoesNotExistIsAConfigurationError() async throws {
        let cluster = try KafkaMockCluster(brokers: 2)
        defer { cluster.stop() }
        // The mock creates any topic a Metadata request names; this is how it answers for one
        // that does not exist on a broker with auto-creation off.
        try cluster.setTopicError("no-such-topic", .unknownTopicOrPartition)
        let producer = try KafkaProducer(config: Self.config(cluster.bootstrapServers, topic: "no-such-topic"))
        let error = try #require(await Self.checkError(producer))
        await producer.close()
        #expect(error.kind == .configuration)
        #expect(error.name == "UNKNOWN_TOPIC_OR_PART")
        #expect(
            error.message
                == "topic no-such-topic does not exist at \(cluster.bootstrapServers); create it (this producer never creates topics)"
        )
    }

    @Test func aTopicNotAuthorizedIsAConfigurationError() async throws {
        let cluster = try KafkaMockCluster(brokers: 2)
        defer { cluster.stop() }
        try cluster.setTopicError("audit", .topicAuthorizationFailed)
        let producer = try KafkaProducer(config: Self.config(cluster.bootstrapServers, topic: "audit"))
        let error = try #require(await Self.checkError(producer))
        await producer.close()
        #expect(error.kind == .configuration)
        #expect(error.name == "TOPIC_AUTHORIZATION_FAILED")
        #expect(
            error.message == "not authorized to write to topic audit at \(cluster.bootstrapServers); check the ACLs")
    }

    @Test func brokersThatDoNotAnswerAreRetryableAndSaySo() async throws {
        // A stopped cluster's listeners are closed ports on the loopback interface.
        let gone = try KafkaMockCluster(brokers: 1)
        let servers = gone.bootstrapServers
        gone.stop()
        let producer = try KafkaProducer(config: Self.config(servers))
        let error = try #require(await Self.checkError(producer, timeout: .seconds(1)))
        #expect(error.kind == .retryable)
        #expect(["_TRANSPORT", "_ALL_BROKERS_DOWN"].contains(error.name))
        #expect(error.message.hasPrefix("no Kafka broker answered within 1 s at \(servers)"), "\(error)")
        #expect(error.message.contains("Connection refused"), "\(error)")
        #expect(!error.message.contains("\n"))

        // A send in the same state: every message times out, retryable, none delivered.
        let results = try await producer.send([(key: Array("1".utf8), value: Array("{}".utf8))])
        await producer.close()
        #expect(results.map { $0.error?.kind } == [.retryable])
        #expect(results.map { $0.error?.name } == ["_MSG_TIMED_OUT"])
    }

    @Test func aRefusedSASLHandshakeIsAConfigurationErrorWithoutThePassword() async throws {
        // The mock speaks no SASL, so the handshake fails the way a broker without the
        // configured mechanism fails it.
        let cluster = try KafkaMockCluster(brokers: 1)
        defer { cluster.stop() }
        var config = Self.config(cluster.bootstrapServers)
        config.securityProtocol = .saslPlaintext
        config.sasl = .init(mechanism: .scramSHA256, username: "exporter", password: "pa55-w0rd-never-shown")
        let producer = try KafkaProducer(config: config)
        let error = try #require(await Self.checkError(producer))
        await producer.close()
        #expect(error.kind == .configuration, "\(error)")
        #expect(error.name == "_AUTHENTICATION", "\(error)")
        #expect(error.message.hasPrefix("Kafka at \(cluster.bootstrapServers) refused the connection: "), "\(error)")
        #expect(!error.description.contains("pa55-w0rd-never-shown"))
    }

    @Test func aHealthyClusterAnswersWithTheTopicsShape() async throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        defer { cluster.stop() }
        try cluster.createTopic("security-events", partitions: 5, replicationFactor: 3)
        let producer = try KafkaProducer(config: Self.config(cluster.bootstrapServers))
        let metadata = try await producer.checkConnection(timeout: .seconds(5))
        await producer.close()
        #expect(metadata == KafkaTopicMetadata(topic: "security-events", partitionCount: 5, brokerCount: 3))
    }
}
