import SIEMCore

/// Produces each record as one Kafka message (the record as its formatter framed it, without a
/// separator) keyed by its event id, through an idempotent librdkafka producer with `acks=all`.
///
/// A batch is settled only by its delivery reports (librdkafka INTRODUCTION.md, "Message
/// reliability"): a message is accepted when its report says the brokers have it, refused for
/// good when Kafka will never take it (over `max_message_bytes`, an invalid record), and the
/// batch fails, its checkpoint staying where it was, when reports say "not delivered" after
/// librdkafka's own retries ran out (`message_timeout_ms`: brokers lost, leaders missing). A
/// fatal idempotent-producer error (Debian 12's librdkafka 2.0.2 can raise one after a timeout
/// or a dropped connection, fixed in 2.3.0) closes that producer; a new one sends the batch's
/// unconfirmed messages again, in order, so nothing is lost (a message the old producer may have
/// written can arrive twice: at least once).
public final class KafkaSink: EventSink {
    public static let id = "kafka"
    public static let summary =
        "A Kafka topic (or Azure Event Hubs' Kafka endpoint): one message per record, keyed by event id, idempotent, acks=all"
    public typealias Options = KafkaSinkOptions

    /// One message per record, so a record's own framing: JSON documents, HEC envelopes, text
    /// lines, or an OTLP request per record (what the Collector's Kafka receiver reads as
    /// `otlp_json`).
    public static func framings(for options: Options) -> [Framing] { [.ndjson, .concatenated, .lines, .otlpLogs] }

    /// Fatal producers replaced for one batch before it fails as retryable.
    static let rebuildsPerBatch = 3

    let options: Options
    let config: KafkaProducerConfig
    let name: String
    let warn: @Sendable (String) -> Void
    /// Nil under `validate`: nothing connects.
    let handle: KafkaProducerHandle?

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        let name = context.pipelineName ?? Self.id
        self.name = name
        warn = context.warn
        config = options.producerConfig(caFile: options.caFile.map(context.resolve(path:)))
        let warn = context.warn
        do {
            if context.dryRun {
                try KafkaNativeConfiguration.check(config)
                handle = nil
            } else {
                // librdkafka's warnings and errors (a broker unreachable, a refused handshake)
                // go to the host's log; its informational lines do not.
                handle = try KafkaProducerHandle(config: config) { level, facility, message in
                    if level <= 4 { warn("kafka \(facility): \(message)") }
                }
            }
        } catch let error as KafkaError {
            throw SIEMError.config(location: "sink \(name)", message: error.description)
        }
    }

    public var destination: String { "kafka://\(config.bootstrapServers.joined(separator: ","))/\(config.topic)" }

    /// Asks the cluster for the topic, so that unreachable brokers (retryable), a missing topic
    /// or a refused login (not) fail before any row is read.
    public func start() async throws {
        guard let handle else { return }
        do {
            try await handle.checkConnection(timeout: .milliseconds(options.connectTimeoutMS))
        } catch let error as KafkaError {
            throw SIEMError.delivery(sink: name, message: error.description, retryable: error.kind != .configuration)
        }
    }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        guard let handle, !batch.isEmpty else { return Delivery(accepted: batch.count) }
        var settled = KafkaBatchOutcome(count: batch.count)
        var pending = Array(0..<batch.count)
        var rebuilds = 0
        while !pending.isEmpty {
            let messages = pending.map { (key: key(of: $0, in: batch), value: value(of: $0, in: batch)) }
            let results: [KafkaDeliveryResult]
            do {
                results = try await handle.send(messages)
            } catch let error as KafkaError {
                throw settled.failure(SIEMError.delivery(sink: name, message: error.description, retryable: true))
            }
            let unsettled = settled.record(results, for: pending)
            if let stop = unsettled.configuration {
                throw settled.failure(
                    SIEMError.delivery(sink: name, message: "Kafka refused the batch: \(stop)", retryable: false))
            }
            if let retry = unsettled.retryable.first {
                throw settled.failure(
                    SIEMError.delivery(
                        sink: name,
                        message:
                            "\(unsettled.retryable.count) of \(batch.count) message(s) not confirmed by Kafka within message_timeout_ms: \(retry.error)",
                        retryable: true))
            }
            guard let fatal = unsettled.fatal.first else { break }
            guard rebuilds < Self.rebuildsPerBatch else {
                throw settled.failure(
                    SIEMError.delivery(
                        sink: name, message: "the Kafka producer kept failing fatally: \(fatal.error)", retryable: true)
                )
            }
            rebuilds += 1
            warn(
                "pipeline \(name): the Kafka producer failed fatally (\(fatal.error)); a new producer sends the \(unsettled.fatal.count) unconfirmed message(s) again"
            )
            // The handle closes the fatal producer and builds a new one on this send.
            pending = unsettled.fatal.map(\.index)
        }
        let delivery = settled.delivery
        if delivery.refused.count == batch.count && batch.count > 1 {
            throw SIEMError.delivery(
                sink: name,
                message:
                    "Kafka refused every record of a batch of \(batch.count) (the last: \(delivery.refused.last!.reason)); that points at its configuration (max_message_bytes, the topic's max.message.bytes), so none was dead-lettered",
                retryable: false)
        }
        return delivery
    }

    public func close() async throws {
        await handle?.close(timeout: .seconds(10))
    }

    /// How many times a fatal producer was replaced (tests).
    var rebuildCount: Int { handle?.rebuildCount ?? 0 }

    func key(of index: Int, in batch: EncodedBatch) -> [UInt8] {
        switch options.key {
        case .eventID: return Array(String(batch.eventIDs[index]).utf8)
        case .originEventID: return Array("\(batch.origin):\(batch.eventIDs[index])".utf8)
        case .none: return []
        }
    }

    func value(of index: Int, in batch: EncodedBatch) -> ArraySlice<UInt8> {
        batch.framing == .otlpLogs ? batch.body(items: [index])[...] : batch.record(index)
    }
}
