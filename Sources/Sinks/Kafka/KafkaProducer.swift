import CRdKafka
import Dispatch
import Foundation
import SIEMCore

/// An idempotent librdkafka producer for one topic: `send` hands messages over and returns,
/// per message and in order, what its delivery report said.
///
/// Only the delivery report decides success (INTRODUCTION.md, "Message reliability": it is
/// "called once for each message"); a message is never reported delivered otherwise. Reports
/// and error callbacks are served by a `KafkaPollThread`. Calls that use the client
/// (producing, the connection check, closing) run one at a time on a private serial queue:
/// they block in librdkafka, which must not happen on Swift's cooperative threads, and closing
/// must not destroy the client under a call still using it. Thread-safe.
///
/// A fatal error (`isFatal`) ends the producer's usefulness: it refuses every new message.
/// `KafkaProducerHandle` replaces such a producer.
public final class KafkaProducer: @unchecked Sendable {
    public let config: KafkaProducerConfig
    private let events: KafkaClientEvents
    private let redaction: OutputRedaction
    private let poller: KafkaPollThread
    private let queue = DispatchQueue(label: "siem-export.kafka-producer")
    private let lock = NSLock()
    /// The `rd_kafka_t` and `rd_kafka_topic_t`; nil once closed.
    private var client: OpaquePointer?
    private var topic: OpaquePointer?
    private var closing = false
    private var fatalAtClose: KafkaError?
    private var queueFullWaits = 0
    /// Sends waiting for reports, kept alive here because their slots point at them.
    private var pending: [ObjectIdentifier: KafkaPendingBatch] = [:]

    /// Builds the client and starts its poll thread. Throws `configuration` errors: a value
    /// `validate()` or librdkafka refused (named by key, secrets never shown).
    public init(config: KafkaProducerConfig, log: KafkaLogHandler? = nil) throws {
        try config.validate()
        try KafkaNativeConfiguration.checkCALocation(of: config)
        self.config = config
        // Removed from librdkafka's texts here, and registered for the process's outputs (the
        // host registers declared secrets too; a producer made in code must not rely on that).
        redaction = OutputRedaction()
        for secret in config.secrets {
            redaction.register(secret)
            OutputRedaction.shared.register(secret)
        }
        events = KafkaClientEvents(redaction: redaction, log: log)
        let conf = try KafkaNativeConfiguration.make(config.librdkafkaSettings, redaction: redaction)
        events.install(on: conf)
        rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryReportCallback)
        var reason = [CChar](repeating: 0, count: 512)
        guard let client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &reason, reason.count) else {
            rd_kafka_conf_destroy(conf)
            let text = reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(
                kind: .configuration, name: "_INVALID_ARG",
                message: "librdkafka refused the producer configuration: \(redaction.apply(text))")
        }
        guard let topic = rd_kafka_topic_new(client, config.topic, nil) else {
            let code = rd_kafka_last_error()
            rd_kafka_destroy(client)
            throw KafkaError(
                code: code, message: "librdkafka refused the topic \(config.topic): \(KafkaError.text(of: code))")
        }
        self.client = client
        self.topic = topic
        poller = KafkaPollThread(client: client)
        poller.start()
    }

    deinit {
        // Closed already, or never used by a send still waiting (a send holds `self`).
        guard let client else { return }
        poller.stop()
        if let topic { rd_kafka_topic_destroy(topic) }
        rd_kafka_destroy(client)
    }

    // MARK: State

    /// The fatal error the idempotent producer raised, if any (`rd_kafka_fatal_error`).
    ///
    /// librdkafka 2.0.2 (Debian 12) can raise OUT_OF_ORDER_SEQUENCE_NUMBER as fatal after a
    /// request timed out or a connection dropped with messages in flight ("sequence
    /// desynchronization"); 2.3.0 fixed it (CHANGELOG, #4438). Callers must expect it.
    public var fatal: KafkaError? {
        lock.withLock {
            guard let client else { return fatalAtClose }
            return Self.fatalError(of: client, redaction: redaction)
        }
    }

    public var isFatal: Bool { fatal != nil }

    /// Messages librdkafka still holds: queued, in flight, or with a report not yet served
    /// (`rd_kafka_outq_len`); 0 once closed.
    public var outstandingMessageCount: Int {
        lock.withLock { client.map { Int(rd_kafka_outq_len($0)) } ?? 0 }
    }

    /// How many times `send` found librdkafka's queue full and waited for room: a sign that
    /// `queue.buffering.max.*` or the cluster's pace limits throughput.
    public var queueFullWaitCount: Int { lock.withLock { queueFullWaits } }

    /// The latest error librdkafka reported about the client (a lost connection, a refused
    /// authentication), other than "all brokers down"; informational, librdkafka recovers
    /// by itself where it can.
    public var latestClientError: KafkaError? {
        events.latestError.map { KafkaError(code: $0.code, message: $0.reason) }
    }

    // MARK: Connection check

    /// Asks the cluster for the topic's metadata, within `timeout`: brokers that do not
    /// answer are `retryable`; a missing topic, a topic not authorized, a failed TLS or SASL
    /// handshake are `configuration` errors, each one line naming what failed.
    @discardableResult
    public func checkConnection(timeout: Duration = .seconds(10)) async throws -> KafkaTopicMetadata {
        let milliseconds = Self.milliseconds(timeout)
        return try await onQueue { try self.checkConnectionNow(timeoutMS: milliseconds) }
    }

    private func checkConnectionNow(timeoutMS: Int) throws -> KafkaTopicMetadata {
        guard let (client, topic) = usableHandles() else { throw Self.closedError }
        if let fatal { throw fatal }
        let servers = config.bootstrapServers.joined(separator: ",")
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMS) * 1_000_000
        var lastCode = RD_KAFKA_RESP_ERR__TRANSPORT
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { break }
            let remainingMS = Int((deadline - now) / 1_000_000) + 1
            // While no broker connection is up, rd_kafka_metadata waits for one and returns
            // _TRANSPORT: ask in short rounds so that a refused TLS or SASL handshake (seen
            // through the error callback) ends the check at once, not at the timeout. With a
            // connection up, the request gets the whole remaining time.
            let roundMS = lastCode == RD_KAFKA_RESP_ERR__TRANSPORT ? min(remainingMS, 250) : remainingMS
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(client, 0, topic, &metadata, Int32(clamping: roundMS))
            if code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                defer { rd_kafka_metadata_destroy(metadata) }
                return try topicMetadata(metadata.pointee, servers: servers)
            }
            lastCode = code
            if let refusal = events.latestError, KafkaError.kind(of: refusal.code) == .configuration {
                throw KafkaError(
                    code: refusal.code, message: "Kafka at \(servers) refused the connection: \(refusal.reason)")
            }
        }
        let within = timeoutMS % 1000 == 0 ? "\(timeoutMS / 1000) s" : "\(timeoutMS) ms"
        var message = "no Kafka broker answered within \(within) at \(servers)"
        if let latest = events.latestError { message += ": \(latest.reason)" }
        let name = events.sawAllBrokersDown ? RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN : lastCode
        throw KafkaError(kind: .retryable, name: KafkaError.name(of: name), message: message)
    }

    private func topicMetadata(_ metadata: rd_kafka_metadata, servers: String) throws -> KafkaTopicMetadata {
        let topics = UnsafeBufferPointer(start: metadata.topics, count: Int(metadata.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == config.topic }) else {
            throw KafkaError(
                kind: .retryable, name: "_UNKNOWN_TOPIC",
                message: "Kafka at \(servers) answered without topic \(config.topic); try again")
        }
        let name = config.topic
        switch entry.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR where entry.partition_cnt > 0:
            return KafkaTopicMetadata(
                topic: name, partitionCount: Int(entry.partition_cnt), brokerCount: Int(metadata.broker_cnt))
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            throw KafkaError(
                kind: .retryable, name: "_UNKNOWN_PARTITION",
                message: "topic \(name) has no partitions yet at \(servers)")
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            throw KafkaError(
                code: entry.err,
                message: "topic \(name) does not exist at \(servers); create it (this producer never creates topics)")
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
            throw KafkaError(
                code: entry.err, message: "not authorized to write to topic \(name) at \(servers); check the ACLs")
        default:
            throw KafkaError(
                code: entry.err,
                message: "topic \(name) at \(servers) is unavailable: \(KafkaError.text(of: entry.err))")
        }
    }

    // MARK: Sending

    /// Produces every message (partitioned by key), then waits for the delivery report of
    /// each and returns one result per message, in order. Waits while librdkafka's queue is
    /// full rather than growing it (`queue.buffering.max.*`). Every message gets its report
    /// within `message.timeout.ms`, so this returns within about that time. Cancelling the
    /// task does not cut the wait short: the messages are already on their way. Throws only
    /// when the producer is closed.
    public func send(_ messages: [(key: [UInt8], value: ArraySlice<UInt8>)]) async throws -> [KafkaDeliveryResult] {
        guard !messages.isEmpty else { return [] }
        let batch = KafkaPendingBatch(count: messages.count)
        try lock.withLock {
            guard !closing else { throw Self.closedError }
            pending[ObjectIdentifier(batch)] = batch
        }
        defer { _ = lock.withLock { pending.removeValue(forKey: ObjectIdentifier(batch)) } }
        return await batch.results {
            queue.async { self.produce(messages, into: batch) }
        }
    }

    /// `send` for whole-array values.
    public func send(_ messages: [(key: [UInt8], value: [UInt8])]) async throws -> [KafkaDeliveryResult] {
        try await send(messages.map { (key: $0.key, value: $0.value[...]) })
    }

    /// On the queue: hands each message to librdkafka, or records why it could not.
    private func produce(_ messages: [(key: [UInt8], value: ArraySlice<UInt8>)], into batch: KafkaPendingBatch) {
        guard let (client, topic) = usableHandles() else {
            for index in messages.indices { batch.record(.failed(Self.closedError), at: index) }
            return
        }
        for (index, message) in messages.enumerated() {
            while true {
                let accepted = message.value.withUnsafeBytes { value in
                    message.key.withUnsafeBytes { key in
                        // F_COPY: librdkafka copies key and value, our buffers are free on return.
                        rd_kafka_produce(
                            topic, siem_rd_kafka_partition_unassigned, siem_rd_kafka_msg_f_copy,
                            UnsafeMutableRawPointer(mutating: value.baseAddress), value.count,
                            key.isEmpty ? nil : key.baseAddress, key.count, batch.opaque(for: index)) == 0
                    }
                }
                if accepted { break }
                // Thread-local, so read right away on the thread that produced.
                let code = rd_kafka_last_error()
                let closing = lock.withLock { () -> Bool in
                    if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { queueFullWaits += 1 }
                    return self.closing
                }
                if code == RD_KAFKA_RESP_ERR__QUEUE_FULL && !closing {
                    // The documented answer to a full queue: serve delivery reports, which
                    // frees room, then try again (rdkafka.h, rd_kafka_produce, ENOBUFS). Briefly:
                    // the poll thread may serve them first. The queue empties at the latest as
                    // messages time out, so this ends; memory stays at the configured bound.
                    rd_kafka_poll(client, 10)
                    continue
                }
                batch.record(.failed(produceError(code, message: message)), at: index)
                break
            }
        }
    }

    private func produceError(
        _ code: rd_kafka_resp_err_t, message: (key: [UInt8], value: ArraySlice<UInt8>)
    )
        -> KafkaError
    {
        switch code {
        case RD_KAFKA_RESP_ERR__FATAL:
            return fatal ?? KafkaError(code: code, message: "the producer has raised a fatal error")
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
            // librdkafka compares the size with framing overhead (rdkafka.h, EMSGSIZE).
            return KafkaError(
                code: code,
                message: "a message of \(message.key.count + message.value.count) bytes (key and value) for topic"
                    + " \(config.topic) is over message.max.bytes \(config.messageMaxBytes)")
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            return KafkaError(code: code, message: "the producer closed while its queue was full")
        default:
            return KafkaError(
                code: code, message: "librdkafka refused a message for \(config.topic): \(KafkaError.text(of: code))")
        }
    }

    // MARK: Closing

    /// Waits up to `timeout` for queued and in-flight messages (`rd_kafka_flush`), fails what
    /// is left as `retryable` (`_PURGE_QUEUE`, `_PURGE_INFLIGHT` or `_DESTROY`), then destroys
    /// the client (INTRODUCTION.md, "Termination"). Later sends throw; closing twice is fine.
    public func close(timeout: Duration = .seconds(30)) async {
        let milliseconds = Self.milliseconds(timeout)
        lock.withLock { closing = true }
        try? await onQueue { self.shutDown(timeoutMS: milliseconds) }
    }

    private func shutDown(timeoutMS: Int) {
        guard let (client, topic) = usableHandles() else { return }
        rd_kafka_flush(client, Int32(clamping: timeoutMS))
        // What is still queued or in flight gets a _PURGE_* report, served by a short flush;
        // in-flight requests are not waited for (rdkafka.h, rd_kafka_purge).
        rd_kafka_purge(client, siem_rd_kafka_purge_queue_and_in_flight)
        rd_kafka_flush(client, 500)
        poller.stop()
        lock.withLock {
            fatalAtClose = Self.fatalError(of: client, redaction: redaction)
            self.client = nil
            self.topic = nil
        }
        rd_kafka_topic_destroy(topic)
        rd_kafka_destroy(client)
        // No report can come any more: whatever still waits would wait forever.
        let unreported = lock.withLock { Array(pending.values) }
        let destroyed = KafkaError(
            kind: .retryable, name: "_DESTROY", message: "the producer closed before Kafka confirmed the message")
        for batch in unreported { batch.failUnreported(with: destroyed) }
    }

    // MARK: Helpers

    static let closedError = KafkaError(kind: .retryable, name: "_DESTROY", message: "the Kafka producer is closed")

    private func usableHandles() -> (OpaquePointer, OpaquePointer)? {
        lock.withLock {
            guard let client, let topic else { return nil }
            return (client, topic)
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// The fatal error `client` has raised, as a `.fatal` KafkaError, or nil.
    static func fatalError(of client: OpaquePointer, redaction: OutputRedaction) -> KafkaError? {
        var reason = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(client, &reason, reason.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let text = reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return KafkaError(
            kind: .fatal, name: KafkaError.name(of: code),
            message: "the idempotent producer raised a fatal error and can no longer keep order and no duplicates: "
                + "\(redaction.apply(text)); build a new producer and re-send from the checkpoint")
    }

    /// The result a failed delivery report stands for: `fatal` when the producer has raised a
    /// fatal error (whatever the report's own code), otherwise the code's kind.
    static func deliveryFailure(
        _ code: rd_kafka_resp_err_t, status: rd_kafka_msg_status_t, client: OpaquePointer,
        redaction: OutputRedaction
    ) -> KafkaError {
        let written: String
        switch status {
        case RD_KAFKA_MSG_STATUS_NOT_PERSISTED: written = "not written"
        case RD_KAFKA_MSG_STATUS_PERSISTED: written = "written"
        default: written = "possibly written, a re-send may duplicate it"
        }
        if let fatal = fatalError(of: client, redaction: redaction) {
            return KafkaError(
                kind: .fatal, name: fatal.name,
                message: "not delivered (\(KafkaError.text(of: code)), \(written)): \(fatal.message)")
        }
        return KafkaError(
            code: code, message: "Kafka did not confirm the message: \(KafkaError.text(of: code)) (\(written))")
    }
}

/// The delivery report callback (`dr_msg_cb`), run by whichever thread polls: files the
/// report's result under the message's slot.
private let kafkaDeliveryReportCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        client, message, opaque in
        guard let client, let message, let slot = message.pointee._private else { return }
        let (batch, index) = KafkaPendingBatch.slot(slot)
        let report = message.pointee
        let result: KafkaDeliveryResult
        if report.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            result = .delivered(partition: report.partition, offset: report.offset)
        } else {
            let redaction = KafkaClientEvents.from(opaque)?.redaction ?? OutputRedaction()
            result = .failed(
                KafkaProducer.deliveryFailure(
                    report.err, status: rd_kafka_message_status(message), client: client, redaction: redaction))
        }
        batch.record(result, at: index)
    }
