import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMSinks

/// The receiver checks every signature with its own implementation of Microsoft's recipe: the
/// string to sign is built here, and the HMAC computed by the `openssl` command, not our code.
@Suite struct SentinelDataCollectorSinkTests {
    static let workspace = "b3c0e1d2-aaaa-4bbb-8ccc-0123456789ab"
    static let key = Data((0..<64).map { UInt8($0) }).base64EncodedString()

    static func independentSignature(_ stringToSign: String, keyBase64: String) throws -> String {
        let hexKey = Data(base64Encoded: keyBase64)!.map { String(format: "%02x", $0) }.joined()
        let digest = try ExternalTool.run(
            ["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(hexKey)", "-binary"],
            input: Data(stringToSign.utf8)
        ).stdout
        return digest.base64EncodedString()
    }

    /// Answers 200 only to requests whose signature, date, length and headers are right.
    static func receiver(
        reject: @escaping @Sendable (Int) -> LoopbackHTTPServer.Reply? = { _ in nil }
    ) throws
        -> LoopbackHTTPServer
    {
        let count = Counter()
        return try LoopbackHTTPServer { request in
            if let reply = reject(count.next()) { return reply }
            guard request.target == "/api/logs?api-version=2016-04-01", let date = request.header("x-ms-date"),
                request.header("Content-Type") == "application/json", request.header("Log-Type") == "OversightBeacon",
                request.header("time-generated-field") == "TimeGenerated",
                let authorization = request.header("Authorization")
            else { return .json(400, #"{"Error":"InvalidHeaders"}"#) }
            let stringToSign = "POST\n\(request.body.count)\napplication/json\nx-ms-date:\(date)\n/api/logs"
            guard let expected = try? independentSignature(stringToSign, keyBase64: key),
                authorization == "SharedKey \(workspace):\(expected)"
            else { return .json(403, #"{"Error":"InvalidAuthorization","Message":"An invalid scheme was specified"}"#) }
            guard (try? JSONSerialization.jsonObject(with: Data(request.body))) is [Any] else {
                return .json(400, #"{"Error":"InvalidDataFormat"}"#)
            }
            return .respond(status: 200, headers: [], body: [])
        }
    }

    func sink(
        _ server: LoopbackHTTPServer, key: String = key,
        configure: (inout SentinelDataCollectorSink.Options) -> Void = { _ in }
    ) throws
        -> SentinelDataCollectorSink
    {
        var options = SentinelDataCollectorSink.Options()
        options.workspaceID = Self.workspace
        options.sharedKey = key
        options.url = server.baseURL
        options.http.retry.retryInitialMS = 1
        options.http.retry.retryMaxMS = 20
        configure(&options)
        try options.validate()
        return try SentinelDataCollectorSink(
            options: options, context: PluginContext(baseDirectory: "/", pipelineName: "sentinel"))
    }

    @Test func signsEveryRequestSoTheReceiverAcceptsIt() async throws {
        let server = try Self.receiver()
        defer { server.stop() }
        let sink = try sink(server) { $0.maxBatchBytes = 2_048 }
        #expect(try await sink.send(SinkTestBatches.batch(1...60, padding: 30)).accepted == 60)
        let requests = server.requests
        #expect(requests.count > 1, "split under max_batch_bytes")
        #expect(requests.allSatisfy { $0.body.count <= 2_048 })
        let ids = try requests.flatMap {
            try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [[String: Any]])
        }
        .map { $0["id"] as? Int }
        #expect(ids == (1...60).map { $0 })
    }

    @Test func aWrongKeyIsRefusedAndNeverPrinted() async throws {
        let server = try Self.receiver()
        defer { server.stop() }
        let wrongKey = Data(repeating: 7, count: 64).base64EncodedString()
        do {
            _ = try await sink(server, key: wrongKey).send(SinkTestBatches.batch(1...1))
            Issue.record("accepted")
        } catch let error as SIEMError {
            #expect(error.description.contains("HTTP 403") && error.description.contains("InvalidAuthorization"))
            #expect(!error.description.contains(wrongKey))
            #expect(error.exitCode == 69)
        }
    }

    @Test func retriesSignAgainWithAFreshDate() async throws {
        let server = try Self.receiver { $0 == 0 ? .json(503, "{}") : nil }
        defer { server.stop() }
        let clock = Counter()
        var options = SentinelDataCollectorSink.Options()
        options.workspaceID = Self.workspace
        options.sharedKey = Self.key
        options.url = server.baseURL
        options.http.retry.retryInitialMS = 1
        let sink = try SentinelDataCollectorSink(
            options: options, context: PluginContext(baseDirectory: "/"), now: { 1_767_225_600 + Int64(clock.next()) })
        #expect(try await sink.send(SinkTestBatches.batch(1...2)).accepted == 2)
        let dates = server.requests.compactMap { $0.header("x-ms-date") }
        #expect(dates == ["Thu, 01 Jan 2026 00:00:00 GMT", "Thu, 01 Jan 2026 00:00:01 GMT"])
    }

    @Test func optionsRefuseWhatTheAPICannotTake() {
        var options = SentinelDataCollectorSink.Options()
        options.workspaceID = Self.workspace
        options.sharedKey = Self.key
        #expect(throws: Never.self) { try options.validate() }
        options.logType = "Bad-Name"
        #expect(throws: SIEMError.self) { try options.validate() }
        options.logType = "Ok"
        options.http.compression = .gzip
        #expect(throws: SIEMError.self) { try options.validate() }
        options.http.compression = .none
        options.sharedKey = "not base64!"
        #expect(throws: SIEMError.self) { try options.validate() }
    }
}
