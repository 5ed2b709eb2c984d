import Foundation

/// The producer a sink sends with, replaced by a new one once it has raised a fatal error.
///
/// A fatal idempotent producer refuses every new message and cannot recover (INTRODUCTION.md,
/// "Fatal producer errors"); with Debian 12's librdkafka 2.0.2 a timeout or a dropped
/// connection can be enough to cause one (fixed in 2.3.0, #4438). The caller's part: when a
/// result is `.failed` with kind `.fatal`, re-send those messages (from its checkpoint) through
/// this handle, which then closes the fatal producer and builds a fresh one first. The fresh
/// producer has a new producer id, so the broker cannot drop duplicates across the two: a
/// message the old one had possibly written may arrive twice (at-least-once, never lost).
public final class KafkaProducerHandle: @unchecked Sendable {
    private let makeProducer: @Sendable () throws -> KafkaProducer
    private let lock = NSLock()
    private var current: KafkaProducer
    private var rebuilds = 0
    private var closed = false

    /// Builds the first producer now, so a configuration error shows at once.
    public convenience init(config: KafkaProducerConfig, log: KafkaLogHandler? = nil) throws {
        try self.init { try KafkaProducer(config: config, log: log) }
    }

    /// `makeProducer` builds each producer, the first one now.
    public init(makeProducer: @escaping @Sendable () throws -> KafkaProducer) throws {
        self.makeProducer = makeProducer
        current = try makeProducer()
    }

    /// The producer in use now (it may be fatal: `usableProducer()` replaces it).
    public var producer: KafkaProducer { lock.withLock { current } }

    /// How many times a fatal producer has been replaced.
    public var rebuildCount: Int { lock.withLock { rebuilds } }

    /// The current producer, or, when it is fatal, a new one that replaces it; the fatal one is
    /// closed (its in-flight messages still get their reports). When several callers find the
    /// same fatal producer, one new producer is built.
    public func usableProducer() async throws -> KafkaProducer {
        let (producer, retired) = try lock.withLock { () throws -> (KafkaProducer, KafkaProducer?) in
            guard !closed else { throw KafkaProducer.closedError }
            guard current.isFatal else { return (current, nil) }
            let fresh = try makeProducer()
            let retired = current
            current = fresh
            rebuilds += 1
            return (fresh, retired)
        }
        if let retired { await retired.close(timeout: .seconds(5)) }
        return producer
    }

    /// `KafkaProducer.send` on `usableProducer()`.
    public func send(_ messages: [(key: [UInt8], value: ArraySlice<UInt8>)]) async throws -> [KafkaDeliveryResult] {
        try await usableProducer().send(messages)
    }

    /// `KafkaProducer.send` on `usableProducer()`, for whole-array values.
    public func send(_ messages: [(key: [UInt8], value: [UInt8])]) async throws -> [KafkaDeliveryResult] {
        try await usableProducer().send(messages)
    }

    /// `KafkaProducer.checkConnection` on `usableProducer()`.
    @discardableResult
    public func checkConnection(timeout: Duration = .seconds(10)) async throws -> KafkaTopicMetadata {
        try await usableProducer().checkConnection(timeout: timeout)
    }

    /// Closes the current producer; later calls throw.
    public func close(timeout: Duration = .seconds(30)) async {
        let producer = lock.withLock { () -> KafkaProducer in
            closed = true
            return current
        }
        await producer.close(timeout: timeout)
    }
}
