import Foundation
import SIEMCore
import SIEMSinks
import SIEMTestSupport
import Testing

@Suite struct SplunkHECSinkTests {
    let temporary = try! TemporaryDirectory("siem-hec")
    var directory: URL { temporary.url }

    func sink(
        _ hec: FakeSplunkHEC, token: String? = nil, configure: (inout SplunkHECSink.Options) -> Void = { _ in }
    )
        throws -> SplunkHECSink
    {
        var options = SplunkHECSink.Options()
        options.url = hec.url
        options.token = token ?? hec.token
        options.http.retry.retryInitialMS = 1
        options.http.retry.retryMaxMS = 20
        options.ackPollMS = 5
        configure(&options)
        try options.validate()
        return try SplunkHECSink(
            options: options, context: PluginContext(baseDirectory: directory.path, pipelineName: "splunk"))
    }

    @Test func deliversNewlineSeparatedEnvelopesWithTheSplunkAuthorization() async throws {
        let hec = try FakeSplunkHEC()
        defer { hec.stop() }
        let sink = try sink(hec)
        try await sink.start()
        #expect(try await sink.send(SinkTestBatches.hecBatch(1...5)).accepted == 5)
        #expect(hec.indexedIDs == [1, 2, 3, 4, 5])
        let post = try #require(hec.server.requests.last)
        #expect(post.path == "/services/collector/event")
        #expect(post.header("Authorization") == "Splunk \(hec.token)")
        let body = String(decoding: post.body, as: UTF8.self)
        #expect(!body.hasPrefix("[") && body.split(separator: "\n").count == 5, "objects one per line, not an array")
    }

    @Test func gzipAndSplittingAtMaxBatchBytes() async throws {
        let hec = try FakeSplunkHEC()
        defer { hec.stop() }
        let sink = try sink(hec) {
            $0.http.compression = .gzip
            $0.maxBatchBytes = 4_096
        }
        #expect(try await sink.send(SinkTestBatches.hecBatch(1...60, padding: 200)).accepted == 60)
        #expect(hec.indexedIDs == Array(1...60))
        let posts = hec.server.requests.filter { $0.path == "/services/collector/event" }
        #expect(posts.count > 3)
        #expect(posts.allSatisfy { $0.header("Content-Encoding") == "gzip" && $0.decodedBody.count <= 4_096 })
    }

    @Test func startUpNamesAWrongTokenWithoutPrintingIt() async throws {
        let hec = try FakeSplunkHEC()
        defer { hec.stop() }
        let sink = try sink(hec, token: "wrong-token-value")
        do {
            try await sink.start()
            Issue.record("a wrong token passed the start-up check")
        } catch let error as SIEMError {
            #expect(
                error.description
                    == "HEC refused the token at \(hec.url)/services/collector/event: HTTP 403, HEC code 4: Invalid token (sink splunk)"
            )
            #expect(!error.description.contains("wrong-token-value"))
            #expect(error.exitCode == 69)
        }
        #expect(hec.indexedIDs.isEmpty)
    }

    @Test func startUpNamesAnEndpointThatIsNotHEC() async throws {
        let other = try LoopbackHTTPServer { _ in .respond(status: 404, headers: [], body: Array("no such page".utf8)) }
        defer { other.stop() }
        var options = SplunkHECSink.Options()
        options.url = other.baseURL
        options.token = "t0k3n-abc"
        let sink = try SplunkHECSink(
            options: options, context: PluginContext(baseDirectory: "/", pipelineName: "splunk"))
        await #expect(
            throws: SIEMError.delivery(
                sink: "splunk", message: "HEC health check at \(other.baseURL) failed: HTTP 404: no such page",
                retryable: false)
        ) {
            try await sink.start()
        }
    }

    @Test func busyAndServerErrorsAreRetriedWithoutLoss() async throws {
        let hec = try FakeSplunkHEC { post in
            switch post {
            case 0: return .json(503, #"{"text":"Server is busy","code":9}"#)
            case 1: return .json(429, #"{"text":"Too many requests"}"#, headers: [("Retry-After", "0")])
            case 2: return .json(500, #"{"text":"Internal server error","code":8}"#)
            case 3: return .drop
            default: return nil
            }
        }
        defer { hec.stop() }
        #expect(try await sink(hec).send(SinkTestBatches.hecBatch(1...4)).accepted == 4)
        #expect(hec.indexedIDs == [1, 2, 3, 4])
    }

    /// HEC refusing one event as invalid refuses that event alone (the runner dead-letters it);
    /// every other event is delivered, and none is counted twice.
    @Test func anInvalidEventIsRefusedAloneAndTheRestIsDelivered() async throws {
        let hec = try FakeSplunkHEC()
        defer { hec.stop() }
        let delivery = try await sink(hec).send(SinkTestBatches.hecBatch(1...10, blank: [7]))
        #expect(delivery.accepted == 9, "the refused event is not delivered")
        #expect(delivery.refused == [Refusal(index: 6, reason: "HEC code 13: Event field cannot be blank")])
        #expect(Set(hec.indexedIDs) == Set((1...10).filter { $0 != 7 }))
    }

    @Test func anEventOverMaxContentLengthIsRefusedWithoutARoundTrip() async throws {
        let hec = try FakeSplunkHEC()
        defer { hec.stop() }
        var batch = SinkTestBatches.hecBatch(1...3)
        let large = SinkTestBatches.hecBatch(4...4, padding: 5_000)
        batch.bytes += large.bytes
        batch.recordEnds += large.recordEnds.map { $0 + batch.recordEnds.last! }
        batch.eventIDs += large.eventIDs
        let delivery = try await sink(hec) { $0.maxContentLength = 4_096 }.send(batch)
        #expect(delivery.accepted == 3 && delivery.refused.map(\.index) == [3])
        #expect(hec.indexedIDs == [1, 2, 3])
        #expect(hec.server.requests.filter { $0.path == "/services/collector/event" }.count == 1)
    }

    @Test(arguments: [
        (4, 403, "Invalid token"), (7, 400, "Incorrect index"), (1, 403, "Token disabled"),
        (11, 400, "Invalid data channel"),
    ])
    func tokenIndexAndChannelErrorsStopAndKeepTheData(code: Int, status: Int, text: String) async throws {
        let hec = try FakeSplunkHEC { _ in .json(status, #"{"text":"\#(text)","code":\#(code)}"#) }
        defer { hec.stop() }
        do {
            _ = try await sink(hec).send(SinkTestBatches.hecBatch(1...3))
            Issue.record("accepted")
        } catch let error as SIEMError {
            #expect(
                error
                    == .delivery(sink: "splunk", message: "HTTP \(status), HEC code \(code): \(text)", retryable: false)
            )
        }
        #expect(hec.server.requests.count == 1, "not retried")
    }

    @Test func indexerAcknowledgementsThatArriveLateStillCount() async throws {
        let hec = try FakeSplunkHEC(ackAfterPolls: 3)
        defer { hec.stop() }
        let sink = try sink(hec) {
            $0.indexerAck = true
            $0.maxBatchBytes = 2_048
        }
        #expect(try await sink.send(SinkTestBatches.hecBatch(1...30, padding: 50)).accepted == 30)
        let posts = hec.server.requests.filter { $0.path == "/services/collector/event" }
        let channels = Set(posts.compactMap { $0.header("X-Splunk-Request-Channel") })
        #expect(channels.count == 1 && UUID(uuidString: channels.first!) != nil, "one GUID channel")
        #expect(hec.server.requests.filter { $0.path == "/services/collector/ack" }.count >= 3)
    }

    @Test func unconfirmedBatchesAreNotCountedAsDelivered() async throws {
        let hec = try FakeSplunkHEC(ackAfterPolls: 1_000)
        defer { hec.stop() }
        let sink = try sink(hec) {
            $0.indexerAck = true
            $0.ackMaxPolls = 3
        }
        do {
            _ = try await sink.send(SinkTestBatches.hecBatch(1...5))
            Issue.record("counted as delivered without an ack")
        } catch let error as SIEMError {
            guard case .delivery(_, let message, let retryable) = error else { throw error }
            #expect(retryable && message.contains("did not confirm indexing within 3 polls"))
        }
        #expect(hec.server.requests.filter { $0.path == "/services/collector/ack" }.count == 3)
    }

    @Test func ackOnATokenWithoutAckIsAConfigurationError() async throws {
        let hec = try FakeSplunkHEC(ackAfterPolls: nil)
        defer { hec.stop() }
        await #expect(
            throws: SIEMError.delivery(
                sink: "splunk", message: "HTTP 400, HEC code 14: ACK is disabled", retryable: false)
        ) {
            _ = try await sink(hec) { $0.indexerAck = true }.send(SinkTestBatches.hecBatch(1...2))
        }
    }
}
