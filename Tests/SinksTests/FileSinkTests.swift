import Foundation
import SIEMCore
import SIEMSinks
import SIEMTestSupport
import Testing

@Suite struct FileSinkTests {
    let temporary = try! TemporaryDirectory("siem-file-sink")

    func temporaryDirectory() throws -> URL {
        let url = temporary.appending(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func batch(_ lines: [String]) -> EncodedBatch {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for line in lines {
            bytes += Array(line.utf8) + [0x0A]
            ends.append(bytes.count)
        }
        return EncodedBatch(bytes: bytes, recordEnds: ends, eventIDs: lines.indices.map { Int64($0 + 1) })
    }

    func options(_ path: String, _ mode: FileSink.Options.Mode) -> FileSink.Options {
        var options = FileSink.Options()
        options.path = path
        options.mode = mode
        return options
    }

    @Test func appendsWholeBatchesAndResolvesRelativePaths() async throws {
        let dir = try temporaryDirectory()
        try Data("{\"old\":1}\n".utf8).write(to: dir.appendingPathComponent("out.jsonl"))
        let sink = try FileSink(options: options("out.jsonl", .append), context: PluginContext(baseDirectory: dir.path))
        #expect(sink.path == dir.appendingPathComponent("out.jsonl").path)
        let delivery = try await sink.send(batch(["{\"a\":1}", "{\"b\":2}"]))
        #expect(delivery.accepted == 2)
        _ = try await sink.send(batch(["{\"c\":3}"]))
        let text = try String(contentsOfFile: sink.path, encoding: .utf8)
        #expect(text == "{\"old\":1}\n{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n")
    }

    @Test func truncateModeEmptiesTheFileAtStart() async throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("out.jsonl").path
        try Data("stale\n".utf8).write(to: URL(fileURLWithPath: path))
        let sink = try FileSink(options: options(path, .truncate), context: PluginContext(baseDirectory: "/"))
        _ = try await sink.send(batch(["{}"]))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{}\n")
    }

    @Test func anUnwritablePathFailsAtOpenNamingThePath() throws {
        #expect(throws: SIEMError.self) {
            _ = try FileSink(
                options: options("/nonexistent-dir/out.jsonl", .append), context: PluginContext(baseDirectory: "/"))
        }
        do {
            _ = try FileSink(
                options: options("/nonexistent-dir/out.jsonl", .append), context: PluginContext(baseDirectory: "/"))
        } catch let error as SIEMError {
            #expect(error.location == "/nonexistent-dir/out.jsonl")
            #expect(error.exitCode == 73)
        }
    }

    @Test func aDryRunChecksButCreatesNothing() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("never.jsonl").path
        _ = try FileSink(options: options(path, .truncate), context: PluginContext(baseDirectory: "/", dryRun: true))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: SIEMError.self) {
            _ = try FileSink(
                options: options("/nonexistent-dir/x.jsonl", .append),
                context: PluginContext(baseDirectory: "/", dryRun: true))
        }
    }

    @Test func aFullDeviceFailsTheBatchWithAnOutputError() async throws {
        let sink = try FileSink(options: options("/dev/full", .append), context: PluginContext(baseDirectory: "/"))
        await #expect(throws: SIEMError.self) { _ = try await sink.send(batch(["{\"a\":1}"])) }
    }

    @Test func optionDefaultsAreTheDecodedEmptyOptions() throws {
        #expect(OptionsConformance.problems(FileSink.Options.self, plugin: "file").isEmpty)
        #expect(
            try FileSink.Options.decode(from: JSONOptions(#"{"path":"x"}"#))
                == {
                    var o = FileSink.Options()
                    o.path = "x"
                    return o
                }())
        #expect(throws: OptionProblems.self) {
            try FileSink.Options.decode(from: JSONOptions(#"{"path":"x","mode":"sideways"}"#))
        }
    }
}
