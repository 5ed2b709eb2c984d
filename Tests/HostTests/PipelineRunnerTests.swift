import Foundation
import SIEMCore
import SIEMFormatters
import SIEMRegistry
import SIEMTestSupport
import Testing

@testable import SIEMHost

@Suite struct PipelineRunnerTests {
    let mapper: OversightBeaconMapper = {
        var options = OversightBeaconMapper.Options()
        options.registryID = "reg"
        return try! OversightBeaconMapper(options: options, context: PluginContext(baseDirectory: "/"))
    }()

    static func rows(_ ids: ClosedRange<Int64>) -> [SourceRow] {
        ids.map { SourceRow(id: $0, tokenID: .text("t\($0)"), kind: .text("dns"), timestamp: .integer(1_000 + $0)) }
    }

    func pipeline(_ name: String, _ sink: any EventSink) throws -> AssembledPipeline {
        AssembledPipeline(
            name: name, formatter: try SentinelFormatter(options: .init(), context: PluginContext(baseDirectory: "/")),
            formatterID: "sentinel", framing: .jsonArray, sink: sink, sinkID: "memory")
    }

    @Test func deliversEveryRowInOrderInBoundedBatchesAndCheckpointsEachBatch() async throws {
        let sink = InMemorySink()
        var checkpoints: [Int64] = []
        let summaries = try await PipelineRunner(batchSize: 4).run(
            source: ArraySource(rows: Self.rows(1...10)), mapper: mapper, pipelines: [try pipeline("p", sink)],
            query: SourceQuery(), startAfter: [0]
        ) { _, last in checkpoints.append(last) }
        #expect(sink.eventIDs == Array(1...10))
        #expect(sink.batches.map(\.count) == [4, 4, 2])
        #expect(checkpoints == [4, 8, 10])
        #expect(
            summaries == [
                PipelineSummary(name: "p", formatterID: "sentinel", destination: "memory", delivered: 10, lastID: 10)
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
            query: SourceQuery(afterID: 2), startAfter: [2, 6]
        ) { index, last in log.append("\(index):\(last)") }
        #expect(behind.eventIDs == Array(3...8))
        #expect(ahead.eventIDs == [7, 8])
        #expect(log == ["0:5", "0:8", "1:8"])
    }

    @Test func aFailedSendStopsTheRunWithoutAdvancingPastWhatWasDelivered() async throws {
        let sink = ScriptedSink(failOn: [1: SIEMError.delivery(sink: "s", message: "HTTP 503", retryable: true)])
        var checkpoints: [Int64] = []
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
        var checkpoints: [Int64] = []
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
        #expect(!called && summaries[0].delivered == 9 && summaries[0].lastID == nil)
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
        #expect(sink.batches.isEmpty && !called && summaries[0].lastID == nil)
    }
}
