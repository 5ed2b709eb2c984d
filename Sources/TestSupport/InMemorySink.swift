import SIEMCore
import Synchronization

/// A sink that keeps every batch it is sent, for asserting what was delivered.
public final class InMemorySink: EventSink {
    public static let id = "memory"
    public static let summary = "keeps batches in memory (tests)"
    public typealias Options = NoOptions

    /// Whatever a formatter produces (its first framing a line writer would use).
    public static func framings(for options: NoOptions) -> [Framing] {
        [.ndjson, .lines, .otlpLogs, .concatenated, .jsonArray]
    }

    private let state = Mutex<[EncodedBatch]>([])

    public init() {}
    public init(options: NoOptions, context: PluginContext) throws {}

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        state.withLock { $0.append(batch) }
        return Delivery(accepted: batch.count)
    }

    public func close() async throws {}

    public var batches: [EncodedBatch] { state.withLock { $0 } }

    /// Every record received, as text, in order.
    public var records: [String] {
        batches.flatMap { batch in (0..<batch.count).map { String(decoding: batch.record($0), as: UTF8.self) } }
    }

    public var eventIDs: [Int64] { batches.flatMap(\.eventIDs) }
}

/// A sink that fails on cue: the `n`th call to `send` (0-based) throws the scripted error.
public final class ScriptedSink: EventSink {
    public static let id = "scripted"
    public static let summary = "fails on cue (tests)"
    public typealias Options = NoOptions

    public static func framings(for options: NoOptions) -> [Framing] { InMemorySink.framings(for: options) }

    public let received = InMemorySink()
    private let failures: Mutex<[Int: SIEMError]>
    /// Events refused for good, whatever batch they come in, with this reason.
    private let refusing: Set<Int64>
    private let calls = Mutex(0)

    public init(failOn failures: [Int: SIEMError] = [:], refusing: Set<Int64> = []) {
        self.failures = Mutex(failures)
        self.refusing = refusing
    }
    public init(options: NoOptions, context: PluginContext) throws {
        failures = Mutex([:])
        refusing = []
    }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let call = calls.withLock { value -> Int in
            defer { value += 1 }
            return value
        }
        if let error = failures.withLock({ $0[call] }) { throw error }
        let refused = batch.eventIDs.indices.filter { refusing.contains(batch.eventIDs[$0]) }.map {
            Refusal(index: $0, reason: "scripted refusal of event \(batch.eventIDs[$0])")
        }
        let accepted = try await received.send(batch).accepted
        return Delivery(accepted: accepted - refused.count, refused: refused)
    }

    public func close() async throws {}
}
