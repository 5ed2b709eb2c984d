import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMSinks

#if canImport(Glibc)
    import Glibc
#endif

/// What `export` without `--output` writes: whole batches, one record per line, and an OTLP
/// batch as one request per line.
@Suite struct StdoutSinkTests {
    let temporary = try! TemporaryDirectory("siem-stdout")

    func written(_ batches: [EncodedBatch]) async throws -> String {
        let path = temporary.appending("out").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        let sink = StdoutSink(fileDescriptor: fd)
        for batch in batches { #expect(try await sink.send(batch).accepted == batch.count) }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func writesEachRecordOnALineInOrder() async throws {
        let text = try await written([
            SinkTestBatches.batch(1...3, framing: .ndjson), SinkTestBatches.batch(4...4, framing: .ndjson),
        ])
        let ids = try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["id"] as? Int
        }
        #expect(ids == [1, 2, 3, 4])
        #expect(text.hasSuffix("\n"))
    }

    @Test func anOTLPBatchIsOneRequestOnOneLine() async throws {
        var writer = RecordWriter()
        var ends: [Int] = []
        let framer = RecordFramer(.otlpLogs)
        for id in 1...3 {
            writer.appendRaw(
                Array(#"{"attributes":[{"key":"oversight.event_id","value":{"stringValue":"\#(id)"}}]}"#.utf8))
            framer.endRecord(&writer)
            ends.append(writer.count)
        }
        let batch = EncodedBatch(
            bytes: writer.bytes, recordEnds: ends, eventIDs: [1, 2, 3], framing: .otlpLogs, schema: "s",
            resource: [("service.name", "test")])
        let text = try await written([batch])
        #expect(text.split(separator: "\n").count == 1)
        let requests = try OpenTelemetryParser.parse(Array(text.utf8))
        #expect(requests.map { $0.map { $0["id"] as? String } } == [["1", "2", "3"]])
    }

    @Test func anEmptyBatchWritesNothing() async throws {
        #expect(try await written([EncodedBatch(framing: .ndjson)]).isEmpty)
    }

    /// `export | head`: standard output's reader went away. The stdout sink says so with its own
    /// error (the command then ends quietly); any other descriptor's broken pipe (a file sink on
    /// a FIFO) stays a failed write.
    @Test func aClosedReaderEndsStandardOutputButFailsAnyOtherOutput() async throws {
        // As `siem-export` does at start: a write to a closed pipe fails with EPIPE instead of
        // killing the process.
        signal(SIGPIPE, SIG_IGN)
        for isStandardOutput in [true, false] {
            var ends: [Int32] = [0, 0]
            #expect(pipe(&ends) == 0)
            close(ends[0])
            defer { close(ends[1]) }
            let output = FileDescriptorOutput(fd: ends[1], name: "the fifo", isStandardOutput: isStandardOutput)
            do {
                try output.writeBatch(Array("{}\n".utf8), sync: false)
                Issue.record("a write to a pipe without a reader succeeded")
            } catch is StandardOutputClosed {
                #expect(isStandardOutput)
            } catch let error as SIEMError {
                #expect(!isStandardOutput)
                #expect(error == .output(path: "the fifo", message: "write failed: Broken pipe"))
                #expect(error.exitCode == 73)
            }
        }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        await #expect(throws: StandardOutputClosed.self) {
            try await StdoutSink(fileDescriptor: ends[1]).send(SinkTestBatches.batch(1...2, framing: .ndjson))
        }
    }
}
