import Foundation
import SIEMCore
import SIEMHost
import SIEMSinks
import SIEMTestSupport
import Synchronization
import Testing

/// OTLP output read back by OpenTelemetry's own protobuf definitions through protobuf's strict
/// JSON parser (unknown fields, wrong types and bad 64-bit strings are errors), and the
/// `otlp_http` sink against a loopback collector.
@Suite(.serialized) struct OTLPTests {
    /// Parses OTLP/HTTP JSON request bodies (one per line on stdin) as `ExportLogsServiceRequest`s
    /// and prints, per request, each record's event id, event name, time and attribute keys.
    static func parseWithOpenTelemetry(_ lines: [UInt8]) throws -> [[[String: Any]]] {
        let script = """
            import json, sys
            from google.protobuf import json_format
            from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
            out = []
            for line in sys.stdin.read().splitlines():
                request = json_format.Parse(line, logs_service_pb2.ExportLogsServiceRequest())
                records = []
                for resource in request.resource_logs:
                    for scope in resource.scope_logs:
                        for r in scope.log_records:
                            attrs = {a.key: a.value for a in r.attributes}
                            records.append({"id": attrs["oversight.event_id"].string_value, "name": r.event_name,
                                            "time": str(r.time_unix_nano), "keys": sorted(attrs),
                                            "scope": scope.scope.version})
                out.append(records)
            print(json.dumps(out))
            """
        let result = try ExternalTool.run(["python3", "-c", script], input: Data(lines))
        try #require(
            result.status == 0, "opentelemetry-proto (scripts/install-dependencies.sh): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[[String: Any]]])
    }

    @Test func everyGoldenRecordIsAValidOTLPLogRecord() throws {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("otlp/oversight-otlp-1")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for file in files {
            bytes += try Data(contentsOf: folder.appendingPathComponent(file))
            ends.append(bytes.count)
        }
        let batch = EncodedBatch(
            bytes: bytes, recordEnds: ends, eventIDs: files.indices.map { Int64($0) }, framing: .otlpLogs,
            origin: "reg", schema: "oversight-otlp-1",
            resource: [("service.name", "oversight-registry"), ("oversight.registry_id", "reg")])
        let requests = try Self.parseWithOpenTelemetry(batch.lineOutput)
        #expect(requests.count == 1)
        let records = requests.first ?? []
        #expect(records.count == files.count)
        let fixtures = Dictionary(uniqueKeysWithValues: try FixtureRows.all().map { ($0.name, $0) })
        let mapper = try GoldenFileTests.mapper()
        for (file, record) in zip(files, records) {
            let event = try mapper.map(try #require(fixtures[String(file.dropLast(5))]).row)
            #expect(record["id"] as? String == String(event.eventID), "\(file)")
            #expect(record["name"] as? String == event.action, "\(file)")
            let expectedTime =
                event.occurredUnix > 0 && event.occurredUnix < 18_446_744_073 ? "\(event.occurredUnix)000000000" : "0"
            #expect(record["time"] as? String == expectedTime, "\(file)")
            #expect(record["scope"] as? String == "oversight-otlp-1")
        }
    }

    @Test func exportWritesOneRequestPerBatchPerLine() throws {
        let cli = try CLIHarness()
        let db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "25"])
        let run = try cli.run([
            "export", "--db", db, "--format", "otlp", "--registry-id", "reg", "--batch-size", "10", "--order", "id",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let requests = try Self.parseWithOpenTelemetry(Array(run.stdout.utf8))
        #expect(requests.map(\.count) == [10, 10, 5])
        #expect(requests.flatMap { $0 }.map { $0["id"] as? String } == (1...25).map { "\($0)" })
    }

    @Test func theSinkPostsToV1LogsRetriesUnavailableAndStopsOnRejectedRecords() async throws {
        let posts = Mutex(0)
        let collector = try LoopbackHTTPServer { request in
            let n = posts.withLock {
                $0 += 1
                return $0
            }
            guard request.path == "/v1/logs", request.header("Content-Type") == "application/json" else {
                return .json(404, "{}")
            }
            if n == 1 { return .json(503, #"{"code":14,"message":"unavailable"}"#) }
            let text = String(decoding: request.decodedBody, as: UTF8.self)
            if text.contains(#""stringValue":"13""#) {
                return .json(200, #"{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"bad record 13"}}"#)
            }
            return .json(200, "{}")
        }
        defer { collector.stop() }
        var options = OTLPHTTPSink.Options()
        options.endpoint = collector.baseURL + "/"
        options.http.retry.retryInitialMS = 1
        options.http.retry.retryMaxMS = 5
        options.headers = ["Authorization": "Bearer otlp-secret-token"]
        try options.validate()
        let sink = try OTLPHTTPSink(options: options, context: PluginContext(baseDirectory: "/", pipelineName: "otel"))
        func batch(_ ids: ClosedRange<Int64>) -> EncodedBatch {
            var writer = RecordWriter()
            var ends: [Int] = []
            for id in ids {
                writer.appendRaw(
                    Array(#"{"attributes":[{"key":"oversight.event_id","value":{"stringValue":"\#(id)"}}]}"#.utf8))
                writer.endRecord()
                ends.append(writer.count)
            }
            return EncodedBatch(
                bytes: writer.bytes, recordEnds: ends, eventIDs: Array(ids), framing: .otlpLogs, schema: "s")
        }
        #expect(try await sink.send(batch(1...3)).accepted == 3)
        #expect(posts.withLock { $0 } == 2, "the 503 was retried")
        let body = try #require(collector.requests.last?.decodedBody)
        let parsed = try Self.parseWithOpenTelemetry(body + [0x0A])
        #expect(parsed.first?.count == 3)
        // A partly rejected request is split until the rejected record stands alone: it is refused
        // with the collector's words, the others are delivered (sent again: at least once).
        let delivery = try await sink.send(batch(12...14))
        #expect(delivery.accepted == 2)
        #expect(delivery.refused.map(\.index) == [1])
        let reason = delivery.refused.first?.reason ?? ""
        #expect(reason.contains("rejected 1 log record(s): bad record 13"))
        #expect(!OutputRedaction.shared.apply(reason).contains("otlp-secret-token"))
    }
}
