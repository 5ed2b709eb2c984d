import Foundation
import SIEMCore
import SIEMSinks
import SIEMTestSupport
import Synchronization
import Testing

/// The `otlp_http` sink against a loopback collector, its bodies read back by OpenTelemetry's own
/// protobuf definitions.
@Suite struct OTLPHTTPSinkTests {
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
        let parsed = try OpenTelemetryParser.parse(body + [0x0A])
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
