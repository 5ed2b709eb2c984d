import Foundation
import SIEMCore
import SIEMSinks
import SIEMTestSupport
import Synchronization
import Testing

/// Microsoft Entra ID's token endpoint and the Logs Ingestion API on one loopback server.
final class FakeAzureMonitor: @unchecked Sendable {
    struct State {
        var issued: [String] = []
        var revoked: Set<String> = []
        var rows: [Int] = []
    }
    let expiresIn: Int
    let state = Mutex(State())
    let server: LoopbackHTTPServer

    init(expiresIn: Int = 3_599) throws {
        self.expiresIn = expiresIn
        let box = Box()
        server = try LoopbackHTTPServer { request in box.target?.handle(request) ?? .drop }
        box.target = self
    }
    private final class Box: @unchecked Sendable { weak var target: FakeAzureMonitor? }

    static let ingestPath = "/dataCollectionRules/dcr-0123456789abcdef/streams/Custom-OversightBeacon"

    func handle(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply {
        if request.path == "/tenant-1/oauth2/v2.0/token" {
            let form = Dictionary(
                uniqueKeysWithValues: String(decoding: request.body, as: UTF8.self).split(separator: "&").map {
                    let pair = $0.split(separator: "=", maxSplits: 1)
                    return (String(pair[0]), String(pair.count > 1 ? pair[1] : "").removingPercentEncoding ?? "")
                })
            guard form["grant_type"] == "client_credentials", form["client_id"] == "app-1",
                form["client_secret"] == "s3cret/with+chars", form["scope"] == "https://monitor.azure.com//.default"
            else {
                return .json(
                    401,
                    #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#)
            }
            let token = state.withLock { state -> String in
                state.issued.append("token-\(state.issued.count + 1)")
                return state.issued.last!
            }
            return .json(200, #"{"token_type":"Bearer","expires_in":\#(expiresIn),"access_token":"\#(token)"}"#)
        }
        guard request.target == Self.ingestPath + "?api-version=2023-01-01" else { return .json(404, "{}") }
        let bearer = request.header("Authorization")?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
        let valid = state.withLock { $0.issued.contains(bearer) && !$0.revoked.contains(bearer) }
        guard valid else { return .json(401, #"{"error":{"code":"InvalidToken"}}"#) }
        guard request.decodedBody.count <= 1_000_000 else {
            return .json(413, #"{"error":{"code":"ContentLengthLimitExceeded"}}"#)
        }
        guard let rows = try? JSONSerialization.jsonObject(with: Data(request.decodedBody)) as? [[String: Any]] else {
            return .json(400, "{}")
        }
        state.withLock { $0.rows += rows.compactMap { $0["id"] as? Int } }
        return .respond(status: 204, headers: [], body: [])
    }
}

@Suite struct AzureLogsIngestionSinkTests {
    func sink(
        _ azure: FakeAzureMonitor, secret: String = "s3cret/with+chars", gzip: Bool = false
    ) throws -> AzureLogsIngestionSink {
        var options = AzureLogsIngestionSink.Options()
        options.endpoint = azure.server.baseURL
        options.dcrImmutableID = "dcr-0123456789abcdef"
        options.stream = "Custom-OversightBeacon"
        options.tenantID = "tenant-1"
        options.clientID = "app-1"
        options.clientSecret = secret
        options.tokenURL = azure.server.baseURL + "/tenant-1/oauth2/v2.0/token"
        options.http.retry.retryInitialMS = 1
        options.http.retry.retryMaxMS = 20
        if gzip { options.http.compression = .gzip }
        try options.validate()
        return try AzureLogsIngestionSink(
            options: options, context: PluginContext(baseDirectory: "/", pipelineName: "sentinel"))
    }

    @Test func splitsEveryCallAtOneMegabyteWhateverTheBatchSize() async throws {
        let azure = try FakeAzureMonitor()
        defer { azure.server.stop() }
        let sink = try sink(azure)
        try await sink.start()
        // 3,000 records of ~1 KB: about 3 MB in one batch.
        #expect(try await sink.send(SinkTestBatches.batch(1...3_000, padding: 1_000)).accepted == 3_000)
        let calls = azure.server.requests.filter { $0.path == FakeAzureMonitor.ingestPath }
        #expect(calls.count >= 3)
        #expect(calls.allSatisfy { $0.body.count <= 1_000_000 })
        #expect(calls.dropLast().allSatisfy { $0.body.count > 990_000 }, "calls are filled close to the limit")
        #expect(azure.state.withLock { $0.rows } == Array(1...3_000))
        #expect(azure.state.withLock { $0.issued.count } == 1, "one token serves every call")
    }

    @Test func gzipBodiesAreSplitOnTheirUncompressedSize() async throws {
        let azure = try FakeAzureMonitor()
        defer { azure.server.stop() }
        _ = try await sink(azure, gzip: true).send(SinkTestBatches.batch(1...1_500, padding: 1_000))
        let calls = azure.server.requests.filter { $0.path == FakeAzureMonitor.ingestPath }
        #expect(calls.count >= 2 && calls.allSatisfy { $0.header("Content-Encoding") == "gzip" })
        #expect(azure.state.withLock { $0.rows } == Array(1...1_500))
    }

    @Test func aShortLivedTokenIsRenewedBeforeItExpires() async throws {
        let azure = try FakeAzureMonitor(expiresIn: 2)
        defer { azure.server.stop() }
        let sink = try sink(azure)
        _ = try await sink.send(SinkTestBatches.batch(1...1))
        try await Task.sleep(nanoseconds: 1_200_000_000)
        _ = try await sink.send(SinkTestBatches.batch(2...2))
        #expect(azure.state.withLock { $0.issued } == ["token-1", "token-2"])
    }

    @Test func aRevokedTokenIsReplacedOnce() async throws {
        let azure = try FakeAzureMonitor()
        defer { azure.server.stop() }
        let sink = try sink(azure)
        _ = try await sink.send(SinkTestBatches.batch(1...1))
        azure.state.withLock { _ = $0.revoked.insert("token-1") }
        #expect(try await sink.send(SinkTestBatches.batch(2...3)).accepted == 2)
        #expect(azure.state.withLock { $0.rows } == [1, 2, 3])
    }

    @Test func wrongClientCredentialsFailAtStartUpWithoutTheSecret() async throws {
        let azure = try FakeAzureMonitor()
        defer { azure.server.stop() }
        do {
            try await sink(azure, secret: "wrong-secret-value").start()
            Issue.record("accepted")
        } catch let error as SIEMError {
            #expect(
                error.description
                    == "Microsoft Entra ID refused the client credentials (HTTP 401): AADSTS7000215: Invalid client secret provided. (sink sentinel)"
            )
            #expect(!error.description.contains("wrong-secret-value"))
        }
    }
}
