import Foundation
import SIEMSinks
import SIEMTestSupport
import Testing

/// `KafkaProducerHandle`: a producer whose idempotence turned fatal is detected, replaced, and
/// the messages re-sent through the new one arrive.
@Suite struct KafkaProducerHandleTests {
    @Test func aFatalIdempotenceErrorIsDetectedAndTheRebuiltProducerDelivers() async throws {
        let cluster = try KafkaProducerTests.cluster()
        defer { cluster.stop() }
        let handle = try KafkaProducerHandle(config: KafkaProducerTests.config(cluster, topic: "security-events"))
        try await handle.checkConnection(timeout: .seconds(5))
        let first = handle.producer
        #expect(!first.isFatal)

        // OUT_OF_ORDER_SEQUENCE_NUMBER on the first ProduceRequest in flight is a sequence
        // desynchronisation librdkafka cannot recover from: it raises a fatal error
        // (INTRODUCTION.md, "RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER").
        try cluster.failNextRequests(.produce, with: [.outOfOrderSequenceNumber])
        let messages = KafkaProducerTests.events(1...60)
        let results = try await handle.send(messages)
        let fatal = try #require(first.fatal)
        #expect(first.isFatal)
        #expect(fatal.kind == .fatal)
        #expect(fatal.name == "OUT_OF_ORDER_SEQUENCE_NUMBER")
        #expect(fatal.message.contains("build a new producer"), "\(fatal)")
        let failedKinds = Set(results.compactMap { $0.error?.kind })
        #expect(failedKinds == [.fatal], "every failure after a fatal error says fatal: \(failedKinds)")
        #expect(results.contains { !$0.isDelivered }, "the failed request's messages are not reported delivered")

        // The fatal producer refuses anything new on its own.
        let refused = try await first.send([(key: Array("0".utf8), value: Array("{}".utf8))])
        #expect(refused.map { $0.error?.kind } == [.fatal])

        // Re-sent from the checkpoint through the handle: a new producer delivers them.
        let again = results.indices.filter { !results[$0].isDelivered }
        let resent = try await handle.send(again.map { messages[$0] })
        #expect(handle.rebuildCount == 1)
        #expect(handle.producer !== first)
        #expect(!handle.producer.isFatal)
        #expect(resent.allSatisfy { $0.isDelivered }, KafkaProducerTests.failures(resent))
        await handle.close()

        var final = results
        for (index, result) in zip(again, resent) { final[index] = result }
        let records = try await cluster.consumeWithKafkaPython(topic: "security-events", count: 60)
        // Messages in flight when the error struck may have been written as well as re-sent.
        KafkaProducerTests.verify(
            records, sent: messages, results: final, mustArrive: Set(1...60), ordered: false, exactlyOnce: false)
    }

    @Test func aHealthyProducerIsKeptAndAClosedHandleRefuses() async throws {
        let cluster = try KafkaProducerTests.cluster()
        defer { cluster.stop() }
        let handle = try KafkaProducerHandle(config: KafkaProducerTests.config(cluster, topic: "security-events"))
        let producer = handle.producer
        #expect(try await handle.send(KafkaProducerTests.events(1...5)).allSatisfy { $0.isDelivered })
        #expect(try await handle.usableProducer() === producer)
        #expect(handle.rebuildCount == 0)
        await handle.close()
        await #expect(throws: KafkaError.self) { try await handle.send(KafkaProducerTests.events(6...6)) }
        await #expect(throws: KafkaError.self) { try await producer.send(KafkaProducerTests.events(6...6)) }
    }
}
