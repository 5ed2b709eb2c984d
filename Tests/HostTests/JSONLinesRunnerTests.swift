import Foundation
import SIEMCore
import SIEMFormatters
import SIEMInputs
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// A `jsonl` source through the runner: lines it cannot read go to the dead-letter file as rows
/// a mapper refuses do, and restarts from the state file deliver every line once.
@Suite struct JSONLinesRunnerTests {
    /// `{"seq":N,"action":"…"}` lines as audit events; a line without `action` is refused.
    struct SeqMapper: EventMapper {
        static let id = "seq"
        static let summary = "test lines"
        typealias Options = NoOptions
        init(options: NoOptions, context: PluginContext) throws {}
        init() {}
        var category: EventCategory { .audit }
        let columns = [SourceColumn("seq"), SourceColumn("action")]
        func map(_ batch: borrowing RowBatch, row: Int) throws -> Event {
            guard case .text(let action) = batch[row, 1] else {
                throw SIEMError.badRow(id: batch.ids[row], message: "`action` is missing")
            }
            return Event(
                category: .audit, eventID: batch.ids[row], occurredUnix: 1_700_000_000, origin: "app", action: action)
        }
    }

    let directory: TemporaryDirectory
    var log: String { directory.appending("app.log").path }
    var statePath: String { directory.appending("state.sqlite").path }

    init() throws {
        directory = try TemporaryDirectory("jsonl-run")
    }

    func append(_ text: String, to name: String = "app.log") throws {
        let handle = try FileHandle(forWritingTo: directory.appending(name))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    func create(_ text: String = "") throws {
        try Data(text.utf8).write(to: directory.appending("app.log"))
    }

    static func lines(_ seqs: ClosedRange<Int>) -> String {
        seqs.map { "{\"seq\":\($0),\"action\":\"act-\($0)\"}\n" }.joined()
    }

    func pipeline(_ sink: any EventSink) throws -> AssembledPipeline {
        AssembledPipeline(
            name: "p", formatter: try ECSFormatter(options: .init(), context: PluginContext(baseDirectory: "/")),
            formatterID: "ecs", framing: .ndjson, sink: sink, sinkID: "memory")
    }

    /// One run as `RunSession` makes it: a fresh source on the state file, from the checkpoint to
    /// the end found at its start.
    func run(
        sink: any EventSink, store: CheckpointStore, deadLetter: (any DeadLetterDestination)?, batchSize: Int = 3,
        maxLineBytes: Int = 1_048_576
    ) async throws -> [PipelineSummary] {
        let source = try JSONLinesSource(
            options: {
                var options = JSONLinesSource.Options()
                options.path = log
                options.rotateWaitMS = 0
                options.maxLineBytes = maxLineBytes
                return options
            }(), context: PluginContext(baseDirectory: "/"))
        try source.attach(state: store.state(for: source.identity))
        let after = try store.position(pipeline: "p", source: source.identity)
        var plan = RunPlan(
            query: SourceQuery(after: after, through: try source.endPosition() ?? .start), startAfter: [after])
        plan.rowDeadLetter = deadLetter
        plan.onDelivered = { _, position in try store.advance(pipeline: "p", source: source.identity, to: position) }
        return try await PipelineRunner(batchSize: batchSize).run(
            source: source, mapper: SeqMapper(), pipelines: [try pipeline(sink)], plan: plan)
    }

    static func seqs(_ sink: InMemorySink) -> [Int] {
        sink.records.compactMap { record in
            guard let object = try? JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any],
                let event = object["event"] as? [String: Any], let action = event["action"] as? String
            else { return nil }
            return Int(action.dropFirst(4))
        }
    }

    @Test func unreadableLinesAreDeadLetteredWithTheirBytesAndPlaceAndTheRunGoesOn() async throws {
        let long = "{\"seq\":5,\"action\":\"" + String(repeating: "w", count: 300) + "\"}\n"
        try create(Self.lines(1...1) + "not json\n" + Self.lines(2...2) + "{\"seq\":3}\n" + long + Self.lines(6...6))
        try append("[\"an array\"]\r\n")
        let store = try CheckpointStore(path: statePath)
        let deadLetter = try DeadLetterFileWriter(path: directory.appending("dead.jsonl").path)
        let sink = InMemorySink()
        let summaries = try await run(sink: sink, store: store, deadLetter: deadLetter, maxLineBytes: 200)
        #expect(Self.seqs(sink) == [1, 2, 6])
        #expect(summaries[0].deadLettered == 4)
        let size = Int64(try Data(contentsOf: URL(fileURLWithPath: log)).count)
        #expect(summaries[0].checkpoint == SourcePosition(id: size), "the checkpoint passes what was set aside")
        let dead = try String(contentsOfFile: deadLetter.path, encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(dead.count == 4)
        #expect(dead.map { $0["raw"] as? String } == ["not json", nil, String(long.dropLast()), "[\"an array\"]\r"])
        #expect((dead[0]["reason"] as? String)?.hasPrefix("the line is not a JSON object") == true)
        #expect(dead[1]["reason"] as? String == "`action` is missing", "a row the mapper refuses keeps its columns")
        #expect((dead[1]["row"] as? [String: Any])?["seq"] as? Int == 3)
        let longLength = long.utf8.count - 1
        #expect(dead[2]["reason"] as? String == "the line is \(longLength) bytes long, over max_line_bytes (200)")
        #expect(dead[2]["raw_bytes"] as? Int == longLength)
        let firstEnd = Self.lines(1...1).utf8.count
        #expect(dead[0]["source_row_id"] as? Int == firstEnd + 9)
        #expect(dead[0]["location"] as? String == "\(log), bytes \(firstEnd)..\(firstEnd + 9)")
    }

    @Test func bytesThatAreNotUTF8AreDeadLetteredAsHex() async throws {
        try create()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.write(Data([0xFF, 0xFE, 0x0A]))
        try handle.close()
        let deadLetter = try DeadLetterFileWriter(path: directory.appending("dead.jsonl").path)
        _ = try await run(sink: InMemorySink(), store: try CheckpointStore(path: statePath), deadLetter: deadLetter)
        let line = try String(contentsOfFile: deadLetter.path, encoding: .utf8)
        #expect(line.contains("\"raw_hex\":\"fffe\""))
        #expect(line.contains("\"raw_bytes\":2"))
    }

    @Test func withoutADeadLetterFileTheRunStopsAtTheFirstUnreadableLineAfterDeliveringWhatCameBefore() async throws {
        try create(Self.lines(1...2) + "oops\n" + Self.lines(3...3))
        let store = try CheckpointStore(path: statePath)
        let sink = InMemorySink()
        await #expect(throws: SIEMError.self) {
            _ = try await run(sink: sink, store: store, deadLetter: nil, batchSize: 10)
        }
        #expect(Self.seqs(sink) == [1, 2])
        #expect(
            try store.position(pipeline: "p", source: log) == SourcePosition(id: Int64(Self.lines(1...2).utf8.count)))
    }

    /// A sink that fails after one batch in every run: each run resumes at the last checkpoint,
    /// across a rotation by rename and one by copytruncate, and every line arrives once.
    @Test func aRestartAtEveryCheckpointDeliversEveryLineOnceAcrossRotations() async throws {
        try create(Self.lines(1...4))
        let store = try CheckpointStore(path: statePath)
        let delivered = InMemorySink()
        var runs = 0
        while runs < 100 {
            runs += 1
            if runs == 3 {
                try append(Self.lines(5...6))
                try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
                try create(Self.lines(7...9))
            }
            if runs == 7 {
                try append(Self.lines(10...11))
                try FileManager.default.removeItem(atPath: log + ".1")
                try FileManager.default.copyItem(atPath: log, toPath: log + ".1")
                #expect(truncate(log, 0) == 0)
                try append(Self.lines(12...13))
            }
            let sink = ScriptedSink(failOn: [1: .delivery(sink: "p", message: "down", retryable: true)])
            var finished = false
            do {
                _ = try await run(sink: sink, store: store, deadLetter: nil, batchSize: 1)
                finished = runs > 7
            } catch let error as SIEMError where error.exitCode == 75 {}
            for batch in sink.received.batches { _ = try await delivered.send(batch) }
            if finished { break }
        }
        #expect(Self.seqs(delivered) == Array(1...13))
    }
}
