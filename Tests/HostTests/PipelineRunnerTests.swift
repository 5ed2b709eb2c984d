import Foundation
import SIEMCore
import SIEMFormatters
import SIEMInputs
import SIEMTestSupport
import Testing

@testable import SIEMHost

@Suite struct PipelineRunnerTests {
    let mapper: OversightBeaconMapper = {
        var options = OversightBeaconMapper.Options()
        options.registryID = "reg"
        return try! OversightBeaconMapper(options: options, context: PluginContext(baseDirectory: "/"))
    }()

    static func rows(_ ids: ClosedRange<Int64>) -> [BeaconRow] {
        ids.map { BeaconRow(id: $0, tokenID: .text("t\($0)"), kind: .text("dns"), timestamp: .integer(1_000 + $0)) }
    }

    func pipeline(_ name: String, _ sink: any EventSink) throws -> AssembledPipeline {
        AssembledPipeline(
            name: name, formatter: try SentinelFormatter(options: .init(), context: PluginContext(baseDirectory: "/")),
            formatterID: "sentinel", framing: .jsonArray, sink: sink, sinkID: "memory")
    }

    /// A source read in (epoch, id) order — a PostgreSQL table by transaction id — hands out ids
    /// out of order; each pipeline resumes after its own pair and is checkpointed at pairs.
    @Test func checkpointsArePositionsWhenTheSourceOrdersByEpoch() async throws {
        let source = ArraySource(rows: Self.rows(101...106))
        source.epochs = [101: 5, 102: 5, 105: 6, 103: 7, 104: 7, 106: 7]
        let behind = InMemorySink()
        let ahead = InMemorySink()
        var checkpoints: [Int: [SourcePosition]] = [:]
        _ = try await PipelineRunner(batchSize: 2).run(
            source: source, mapper: mapper, pipelines: [try pipeline("behind", behind), try pipeline("ahead", ahead)],
            query: SourceQuery(), startAfter: [.start, SourcePosition(epoch: 6, id: 105)]
        ) { pipeline, position in checkpoints[pipeline, default: []].append(position) }
        #expect(behind.eventIDs == [101, 102, 105, 103, 104, 106])
        #expect(ahead.eventIDs == [103, 104, 106], "resumes after (6, 105): 103 has a later epoch")
        #expect(
            checkpoints[0] == [
                SourcePosition(epoch: 5, id: 102), SourcePosition(epoch: 7, id: 103), SourcePosition(epoch: 7, id: 106),
            ])
        #expect(checkpoints[1] == [SourcePosition(epoch: 7, id: 103), SourcePosition(epoch: 7, id: 106)])
    }

    @Test func deliversEveryRowInOrderInBoundedBatchesAndCheckpointsEachBatch() async throws {
        let sink = InMemorySink()
        var checkpoints: [SourcePosition] = []
        let summaries = try await PipelineRunner(batchSize: 4).run(
            source: ArraySource(rows: Self.rows(1...10)), mapper: mapper, pipelines: [try pipeline("p", sink)],
            query: SourceQuery(), startAfter: [0]
        ) { _, last in checkpoints.append(last) }
        #expect(sink.eventIDs == Array(1...10))
        #expect(sink.batches.map(\.count) == [4, 4, 2])
        #expect(checkpoints == [4, 8, 10])
        #expect(
            summaries == [
                PipelineSummary(
                    name: "p", formatterID: "sentinel", destination: "memory", delivered: 10, checkpoint: 10)
            ])
        #expect(sink.records.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }

    @Test func eachPipelineResumesFromItsOwnCheckpointReadingTheSourceOnce() async throws {
        let behind = InMemorySink()
        let ahead = InMemorySink()
        var log: [String] = []
        _ = try await PipelineRunner(batchSize: 3).run(
            source: ArraySource(rows: Self.rows(1...8)), mapper: mapper,
            pipelines: [try pipeline("behind", behind), try pipeline("ahead", ahead)],
            query: SourceQuery(after: 2), startAfter: [2, 6]
        ) { index, last in log.append("\(index):\(last.id)") }
        #expect(behind.eventIDs == Array(3...8))
        #expect(ahead.eventIDs == [7, 8])
        #expect(log == ["0:5", "0:8", "1:8"])
    }

    @Test func aFailedSendStopsTheRunWithoutAdvancingPastWhatWasDelivered() async throws {
        let sink = ScriptedSink(failOn: [1: SIEMError.delivery(sink: "s", message: "HTTP 503", retryable: true)])
        var checkpoints: [SourcePosition] = []
        await #expect(throws: SIEMError.delivery(sink: "s", message: "HTTP 503", retryable: true)) {
            _ = try await PipelineRunner(batchSize: 5).run(
                source: ArraySource(rows: Self.rows(1...12)), mapper: mapper, pipelines: [try pipeline("p", sink)],
                query: SourceQuery(), startAfter: [0]
            ) { _, last in checkpoints.append(last) }
        }
        #expect(sink.received.eventIDs == Array(1...5))
        #expect(checkpoints == [5])
    }

    @Test func aBadRowStopsTheRunAfterDeliveringEverythingBeforeIt() async throws {
        var rows = Self.rows(1...10)
        rows[6].timestamp = .null  // id 7
        let sink = InMemorySink()
        var checkpoints: [SourcePosition] = []
        await #expect(throws: SIEMError.badRow(id: 7, message: "`timestamp` is NULL")) {
            _ = try await PipelineRunner(batchSize: 4).run(
                source: ArraySource(rows: rows), mapper: mapper, pipelines: [try pipeline("p", sink)],
                query: SourceQuery(), startAfter: [0]
            ) { _, last in checkpoints.append(last) }
        }
        #expect(sink.eventIDs == [1, 2, 3, 4, 5, 6])
        #expect(checkpoints == [4, 6])
    }

    /// Ids are not monotonic in timestamp order, so no row may be dropped by an id watermark.
    @Test func timestampOrderDeliversEveryRowWithoutCheckpoints() async throws {
        var rows = Self.rows(1...9)
        for i in rows.indices { rows[i].timestamp = .integer(Int64(100 - (i % 3) * 10 + i)) }
        let sink = InMemorySink()
        var called = false
        let summaries = try await PipelineRunner(batchSize: 2).run(
            source: ArraySource(rows: rows), mapper: mapper, pipelines: [try pipeline("p", sink)],
            query: SourceQuery(order: .timestamp), startAfter: [0]
        ) { _, _ in called = true }
        #expect(sink.eventIDs.sorted() == Array(1...9))
        #expect(sink.eventIDs != Array(1...9))
        #expect(!called && summaries[0].delivered == 9 && summaries[0].checkpoint == nil)
    }

    @Test func limitStopsAfterThatManyEvents() async throws {
        let sink = InMemorySink()
        _ = try await PipelineRunner(batchSize: 4).run(
            source: ArraySource(rows: Self.rows(1...10)), mapper: mapper, pipelines: [try pipeline("p", sink)],
            query: SourceQuery(), startAfter: [0], limit: 6)
        #expect(sink.eventIDs == Array(1...6))
    }

    @Test func anEmptySourceDeliversNothingAndMovesNoCheckpoint() async throws {
        let sink = InMemorySink()
        var called = false
        let summaries = try await PipelineRunner(batchSize: 4).run(
            source: ArraySource(rows: []), mapper: mapper, pipelines: [try pipeline("p", sink)], query: SourceQuery(),
            startAfter: [0]
        ) { _, _ in called = true }
        #expect(sink.batches.isEmpty && !called && summaries[0].checkpoint == nil)
    }
}

/// The runner's side of refusals: what a sink refuses is written to the pipeline's dead-letter
/// destination, counted as dead-lettered and never as delivered, and the checkpoint passes it.
@Suite struct RefusalRunnerTests {
    final class CollectingDeadLetters: DeadLetterDestination, @unchecked Sendable {
        var path: String { "memory" }
        var refused: [(pipeline: String, id: Int64, reason: String)] = []
        func write(rows rejected: [(row: Int, reason: String)], of batch: RowBatch) throws {}
        func write(refusals: [Refusal], of batch: EncodedBatch, pipeline: String) throws {
            refused += refusals.map { (pipeline, batch.eventIDs[$0.index], $0.reason) }
        }
    }

    func run(
        _ sink: ScriptedSink, policy: RefusalPolicy, dead: CollectingDeadLetters
    ) async throws -> (
        [PipelineSummary], [SourcePosition]
    ) {
        var pipeline = try PipelineRunnerTests().pipeline("p", sink)
        pipeline.onRefused = policy
        var checkpoints: [SourcePosition] = []
        var plan = RunPlan(query: SourceQuery(), startAfter: [0])
        plan.refusalDeadLetters = [dead]
        plan.onDelivered = { _, last in checkpoints.append(last) }
        let summaries = try await PipelineRunner(batchSize: 4).run(
            source: ArraySource(rows: PipelineRunnerTests.rows(1...10)), mapper: PipelineRunnerTests().mapper,
            pipelines: [pipeline], plan: plan)
        return (summaries, checkpoints)
    }

    @Test func refusedEventsAreDeadLetteredCountedAndPassed() async throws {
        let dead = CollectingDeadLetters()
        let (summaries, checkpoints) = try await run(
            ScriptedSink(refusing: [3, 9]), policy: .deadLetter, dead: dead)
        #expect(dead.refused.map(\.id) == [3, 9])
        #expect(dead.refused.allSatisfy { $0.pipeline == "p" && $0.reason.hasPrefix("scripted refusal") })
        #expect(summaries[0].delivered == 8 && summaries[0].deadLettered == 2 && summaries[0].refusedIDs == [3, 9])
        #expect(checkpoints == [4, 8, 10])
    }

    @Test func withStopTheCheckpointEndsBeforeTheFirstRefusedEvent() async throws {
        let dead = CollectingDeadLetters()
        await #expect(throws: SIEMError.self) {
            _ = try await run(ScriptedSink(refusing: [6]), policy: .stop, dead: dead)
        }
        #expect(dead.refused.isEmpty)
        var checkpoints: [SourcePosition] = []
        var pipeline = try PipelineRunnerTests().pipeline("p", ScriptedSink(refusing: [6]))
        pipeline.onRefused = .stop
        var plan = RunPlan(query: SourceQuery(), startAfter: [0])
        plan.refusalDeadLetters = [dead]
        plan.onDelivered = { _, last in checkpoints.append(last) }
        _ = try? await PipelineRunner(batchSize: 4).run(
            source: ArraySource(rows: PipelineRunnerTests.rows(1...10)), mapper: PipelineRunnerTests().mapper,
            pipelines: [pipeline], plan: plan)
        #expect(checkpoints == [4, 5], "batch 1, then up to the event before 6")
    }
}

/// A sink that takes up to `maxInFlight` batches at once and answers them in reverse order of
/// arrival (the later a batch came, the sooner it is accepted), recording how many overlapped.
final class OverlappingSink: EventSink, @unchecked Sendable {
    static let id = "overlapping"
    static let summary = "answers concurrent batches out of order (tests)"
    typealias Options = NoOptions
    static func framings(for options: NoOptions) -> [Framing] { [.ndjson] }
    let maxInFlight: Int
    private let lock = NSLock()
    private var current = 0
    private(set) var mostAtOnce = 0
    private(set) var accepted: [Int64] = []

    init(maxInFlight: Int) { self.maxInFlight = maxInFlight }
    init(options: NoOptions, context: PluginContext) throws { maxInFlight = 1 }

    func send(_ batch: EncodedBatch) async throws -> Delivery {
        let position = lock.withLock {
            current += 1
            mostAtOnce = max(mostAtOnce, current)
            return current
        }
        try await Task.sleep(for: .milliseconds(40 / position))
        lock.withLock {
            current -= 1
            accepted.append(batch.eventIDs.last!)
        }
        return Delivery(accepted: batch.count)
    }

    func close() async throws {}
}

extension PipelineRunnerTests {
    @Test func severalBatchesInFlightStillCheckpointInOrderAndOnlyPastAcceptedBatches() async throws {
        let sink = OverlappingSink(maxInFlight: 3)
        var checkpoints: [SourcePosition] = []
        var acceptedAtCheckpoint: [[Int64]] = []
        _ = try await PipelineRunner(batchSize: 2).run(
            source: ArraySource(rows: Self.rows(1...20)), mapper: mapper, pipelines: [try pipeline("p", sink)],
            query: SourceQuery(), startAfter: [0]
        ) { _, last in
            checkpoints.append(last)
            acceptedAtCheckpoint.append(sink.accepted)
        }
        #expect(sink.mostAtOnce == 3, "batches overlapped up to the sink's limit")
        #expect(sink.accepted.sorted() == stride(from: 2, through: 20, by: 2).map { Int64($0) })
        #expect(sink.accepted != sink.accepted.sorted(), "the sink answered out of order")
        #expect(
            checkpoints == stride(from: 2, through: 20, by: 2).map { SourcePosition(id: Int64($0)) },
            "checkpoints in order")
        // A checkpoint never passes a batch that was not yet accepted.
        for (checkpoint, accepted) in zip(checkpoints, acceptedAtCheckpoint) {
            #expect(stride(from: 2, through: checkpoint.id, by: 2).allSatisfy { accepted.contains($0) })
        }
    }
}
