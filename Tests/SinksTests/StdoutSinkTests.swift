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
}
