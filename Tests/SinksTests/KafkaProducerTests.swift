import Foundation
import SIEMSinks
import SIEMTestSupport
import Testing

/// `KafkaProducer` against librdkafka's mock cluster, every message read back by kafka-python
/// (scripts/kafka-consume.py), a client that shares no code with librdkafka.
@Suite struct KafkaProducerTests {
    typealias Message = (key: [UInt8], value: [UInt8])

    /// Events with increasing ids: the key is the id in decimal, the value a small JSON record.
    static func events(_ ids: ClosedRange<Int>, padding: Int = 0) -> [Message] {
        ids.map { id in
            let value = #"{"id":\#(id),"action":"login","pad":"\#(String(repeating: "x", count: padding))"}"#
            return (key: Array(String(id).utf8), value: Array(value.utf8))
        }
    }

    static func id(_ key: [UInt8]) -> Int { Int(String(decoding: key, as: UTF8.self)) ?? -1 }

    static func config(_ cluster: KafkaMockCluster, topic: String) -> KafkaProducerConfig {
        var config = KafkaProducerConfig(
            bootstrapServers: cluster.bootstrapServers.split(separator: ",").map(String.init), topic: topic)
        config.messageTimeoutMS = 15_000
        config.lingerMS = 1
        return config
    }

    /// A mock cluster of `brokers` brokers with `topic` of 3 partitions, each led by a
    /// different broker where there are enough.
    static func cluster(brokers: Int = 3, topic: String = "security-events") throws -> KafkaMockCluster {
        let cluster = try KafkaMockCluster(brokers: brokers)
        try cluster.createTopic(topic, partitions: 3, replicationFactor: brokers)
        for partition in Int32(0)..<3 {
            try cluster.setPartitionLeader(topic, partition: partition, broker: partition % Int32(brokers) + 1)
        }
        return cluster
    }

    /// What the independent consumer read, checked against what was sent and reported:
    /// - every record is one of the messages, byte for byte;
    /// - each message reported delivered is at the partition and offset its report named;
    /// - every message in `mustArrive` arrived;
    /// - within each partition, keys (event ids) only increase, when `ordered`;
    /// - with `exactlyOnce`, no message arrived twice.
    static func verify(
        _ records: [KafkaMockCluster.ConsumedRecord], sent messages: [Message], results: [KafkaDeliveryResult],
        mustArrive: Set<Int>, ordered: Bool = true, exactlyOnce: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let byID = Dictionary(uniqueKeysWithValues: messages.map { (id($0.key), $0) })
        var arrived: [Int: Int] = [:]
        for record in records {
            let id = id(record.key)
            guard let message = byID[id] else {
                Issue.record("a record nobody sent: key \(record.key)", sourceLocation: sourceLocation)
                continue
            }
            #expect(record.value == message.value, "event \(id) arrived changed", sourceLocation: sourceLocation)
            arrived[id, default: 0] += 1
        }
        let located = Dictionary(records.map { (("\($0.partition)/\($0.offset)"), id($0.key)) }) { first, _ in first }
        for (message, result) in zip(messages, results) {
            guard case .delivered(let partition, let offset) = result, offset >= 0 else { continue }
            #expect(
                located["\(partition)/\(offset)"] == id(message.key),
                "event \(id(message.key)) reported at \(partition)/\(offset), which holds another record or none",
                sourceLocation: sourceLocation)
        }
        let missing = mustArrive.filter { arrived[$0] == nil }.sorted()
        #expect(missing.isEmpty, "never arrived: \(missing)", sourceLocation: sourceLocation)
        if exactlyOnce {
            let twice = arrived.filter { $0.value > 1 }.keys.sorted()
            #expect(twice.isEmpty, "arrived more than once: \(twice)", sourceLocation: sourceLocation)
        }
        if ordered {
            for partition in Set(records.map(\.partition)) {
                let ids = records.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }.map {
                    id($0.key)
                }
                #expect(
                    ids == ids.sorted(), "partition \(partition) out of key order: \(ids)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// Sends `messages`, then re-sends what failed as retryable or fatal through `handle` (which
    /// rebuilds a fatal producer), as a sink would from its checkpoint; `rounds` at most.
    /// Returns each message's last result, and whether any message was sent again (which
    /// may put it after later ones).
    static func sendUntilDelivered(
        _ messages: [Message], through handle: KafkaProducerHandle, rounds: Int = 4
    )
        async throws -> (results: [KafkaDeliveryResult], resent: Bool)
    {
        var results = try await handle.send(messages)
        var resent = false
        for _ in 1..<rounds {
            let again = results.indices.filter { [.retryable, .fatal].contains(results[$0].error?.kind) }
            if again.isEmpty { break }
            resent = true
            let retried = try await handle.send(again.map { messages[$0] })
            for (index, result) in zip(again, retried) { results[index] = result }
        }
        return (results, resent)
    }

    /// The first few failures, for an expectation's comment.
    static func failures(_ results: [KafkaDeliveryResult]) -> Comment {
        let errors = results.compactMap { $0.error?.description }
        return "\(errors.count) failed, first: \(errors.prefix(3))"
    }

    /// Waits until the count of messages `producer` holds stops moving, above 0 and below
    /// `total`: the partitions that can deliver are through, the others' messages wait.
    static func onlyStuckMessagesRemain(in producer: KafkaProducer, of total: Int) async throws -> Bool {
        var previous = -1
        return try await eventually(within: 60, every: .milliseconds(50)) {
            let waiting = producer.outstandingMessageCount
            defer { previous = waiting }
            return waiting > 0 && waiting < total && waiting == previous
        }
    }

    /// Waits for `condition`, checking it every `interval`, for at most `seconds` (30 by default:
    /// under the loaded full suite librdkafka took more than 5 s to notice a broker go down).
    static func eventually(
        within seconds: Double = 30, every interval: Duration = .milliseconds(10), _ condition: () -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try await Task.sleep(for: interval)
        }
        return true
    }

    @Test(arguments: [KafkaProducerConfig.Compression.none, .gzip])
    func everyMessageArrivesOnceAsSentAndInKeyOrderPerPartition(
        compression: KafkaProducerConfig.Compression
    )
        async throws
    {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        var config = Self.config(cluster, topic: "security-events")
        config.compression = compression
        let producer = try KafkaProducer(config: config)
        let metadata = try await producer.checkConnection(timeout: .seconds(5))
        #expect(metadata == KafkaTopicMetadata(topic: "security-events", partitionCount: 3, brokerCount: 3))

        let messages = Self.events(1...300, padding: 40)
        let results = try await producer.send(messages)
        await producer.close()
        #expect(results.allSatisfy { $0.isDelivered }, Self.failures(results))
        let partitions = Set(results.compactMap { if case .delivered(let p, _) = $0 { p } else { nil } })
        #expect(partitions == [0, 1, 2], "keys spread over every partition")

        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 300)
        #expect(records.count == 300)
        Self.verify(records, sent: messages, results: results, mustArrive: Set(1...300))
    }

    @Test func aMessageOverMessageMaxBytesFailsAloneAsRefused() async throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        var config = Self.config(cluster, topic: "security-events")
        config.messageMaxBytes = 10_000
        let producer = try KafkaProducer(config: config)
        var messages = Self.events(1...20)
        messages[6] = Self.events(7...7, padding: 20_000)[0]
        let results = try await producer.send(messages)
        await producer.close()

        let refused = try #require(results[6].error)
        #expect(refused.kind == .refusedMessage)
        #expect(refused.name == "MSG_SIZE_TOO_LARGE")
        #expect(refused.message.contains("message.max.bytes 10000"), "\(refused)")
        #expect(results.enumerated().allSatisfy { $0.offset == 6 || $0.element.isDelivered }, Self.failures(results))
        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 19)
        #expect(records.count == 19)
        Self.verify(records, sent: messages, results: results, mustArrive: Set(1...20).subtracting([7]))
        #expect(!records.contains { Self.id($0.key) == 7 })
    }

    @Test func aFullLocalQueueMakesSendWaitNotFailNorGrow() async throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        var config = Self.config(cluster, topic: "security-events")
        config.queueMaxMessages = 20
        let producer = try KafkaProducer(config: config)
        // Slow answers keep the queue full for a while.
        try cluster.setRoundTripTime(broker: -1, milliseconds: 5)
        let messages = Self.events(1...500)
        let results = try await producer.send(messages)
        let waits = producer.queueFullWaitCount
        await producer.close()
        #expect(waits > 0, "the queue filled up")
        #expect(results.allSatisfy { $0.isDelivered }, Self.failures(results))
        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 500)
        #expect(records.count == 500)
        Self.verify(records, sent: messages, results: results, mustArrive: Set(1...500))
    }

    @Test func injectedRetryableProduceErrorsLoseNothingAndReportNothingFalse() async throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        let handle = try KafkaProducerHandle(config: Self.config(cluster, topic: "security-events"))
        try await handle.checkConnection(timeout: .seconds(5))
        // Errors librdkafka retries by itself; the idempotent producer keeps order through them.
        try cluster.failNextRequests(
            .produce,
            with: [.notLeaderForPartition, .leaderNotAvailable, .notEnoughReplicas, .notEnoughReplicasAfterAppend])
        let messages = Self.events(1...200)
        let (results, resent) = try await Self.sendUntilDelivered(messages, through: handle)
        await handle.close()
        #expect(results.allSatisfy { $0.isDelivered }, Self.failures(results))
        #expect(!resent, "librdkafka retried these itself")

        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 200)
        Self.verify(records, sent: messages, results: results, mustArrive: Set(1...200))
    }

    @Test func requestTimeoutsAndDroppedConnectionsLoseNothingAndReportNothingFalse() async throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        let handle = try KafkaProducerHandle(config: Self.config(cluster, topic: "security-events"))
        try await handle.checkConnection(timeout: .seconds(5))
        // Answers after which the messages are "possibly persisted": a re-send may duplicate them,
        // and librdkafka 2.0.2 may turn fatal (#4438), so re-sends go through the handle.
        try cluster.failNextRequests(.produce, with: [.requestTimedOut, .transport, .requestTimedOut])
        let messages = Self.events(1...200)
        let (results, resent) = try await Self.sendUntilDelivered(messages, through: handle)
        await handle.close()
        #expect(results.allSatisfy { $0.isDelivered }, Self.failures(results))

        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 200)
        Self.verify(
            records, sent: messages, results: results, mustArrive: Set(1...200), ordered: !resent, exactlyOnce: !resent)
    }

    @Test func aBrokerDownMidRunHoldsItsMessagesUntilItIsBackAndLosesNothing() async throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        let handle = try KafkaProducerHandle(config: Self.config(cluster, topic: "security-events"))
        let warmUp = Self.events(1...30)
        let warmUpResults = try await handle.send(warmUp)
        #expect(warmUpResults.allSatisfy { $0.isDelivered })

        // Broker 2 (leader of partition 1) goes between two batches: nothing of ours is in
        // flight to it, so what it leads waits in librdkafka's queue while the rest goes on.
        let producer = handle.producer
        try cluster.takeBrokerDown(2)
        // A sync point, not a check: librdkafka reports the dropped connection within a moment
        // as a rule, but an idle one it may only find gone when it next sends to it (seen once
        // under AddressSanitizer on a loaded machine). What the test holds is below: the other
        // partitions deliver meanwhile, and nothing is lost or repeated once the broker is back.
        _ = try await Self.eventually(within: 10) { producer.latestClientError != nil }
        let messages = Self.events(31...400)
        let sending = Task { try await Self.sendUntilDelivered(messages, through: handle) }
        #expect(
            try await Self.onlyStuckMessagesRemain(in: producer, of: messages.count),
            "the other partitions deliver while broker 2 is down")
        try cluster.bringBrokerUp(2)
        let (results, resent) = try await sending.value
        await handle.close()
        #expect(results.allSatisfy { $0.isDelivered }, Self.failures(results))
        #expect(!resent && handle.rebuildCount == 0, "librdkafka delivered them once the broker was back")

        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 400)
        #expect(records.count == 400)
        Self.verify(records, sent: warmUp + messages, results: warmUpResults + results, mustArrive: Set(1...400))
    }

    /// A broker that drops its connections with requests in flight: librdkafka cannot know
    /// whether those were written and sends them again. A real broker recognises the
    /// idempotent producer's sequence numbers and drops the repeats; librdkafka 2.0.2's mock
    /// checks sequences only for transactional producers (rd_kafka_mock_validate_records), so
    /// here the repeats are written twice. What must hold anyway: nothing lost, and every
    /// report of delivery points at that very message.
    @Test func aBrokerDroppingInFlightRequestsLosesNothingAndReportsNothingFalse() async throws {
        let cluster = try Self.cluster()
        defer { cluster.stop() }
        let handle = try KafkaProducerHandle(config: Self.config(cluster, topic: "security-events"))
        let warmUp = Self.events(1...30)
        let warmUpResults = try await handle.send(warmUp)
        #expect(warmUpResults.allSatisfy { $0.isDelivered })

        // Broker 2 writes what it gets but answers only after 10 s: once the other partitions
        // are through, its requests are in flight when it goes down, however late this test
        // gets to run. It answers at once after.
        try cluster.setRoundTripTime(broker: 2, milliseconds: 10_000)
        let messages = Self.events(31...400)
        let sending = Task { try await Self.sendUntilDelivered(messages, through: handle) }
        let producer = handle.producer
        #expect(try await Self.onlyStuckMessagesRemain(in: producer, of: messages.count))
        try cluster.takeBrokerDown(2)
        try cluster.setRoundTripTime(broker: 2, milliseconds: 0)
        #expect(
            try await Self.eventually { producer.latestClientError != nil }, "librdkafka saw the broker go")
        try cluster.bringBrokerUp(2)
        let (results, _) = try await sending.value
        await handle.close()
        #expect(results.allSatisfy { $0.isDelivered }, Self.failures(results))

        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 400)
        Self.verify(
            records, sent: warmUp + messages, results: warmUpResults + results, mustArrive: Set(1...400),
            ordered: false, exactlyOnce: false)
    }
}
