import Foundation
import SIEMCore
import SIEMSinks
import SIEMTestSupport
import Testing

@Suite struct HTTPSinkTests {
    func sink(_ url: String, configure: (inout HTTPSink.Options) -> Void = { _ in }) throws -> HTTPSink {
        var options = HTTPSink.Options()
        options.url = url
        options.http.retry.retryInitialMS = 1
        options.http.retry.retryMaxMS = 20
        configure(&options)
        try options.validate()
        return try HTTPSink(options: options, context: PluginContext(baseDirectory: "/", pipelineName: "generic"))
    }

    func ids(_ request: LoopbackHTTPServer.Request) throws -> [Int] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(request.decodedBody)) as? [[String: Any]])
        return array.map { $0["id"] as? Int ?? -1 }
    }

    @Test func postsTheBatchAsOneJSONArrayWithHeadersOverOneConnection() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { server.stop() }
        let sink = try sink(server.baseURL + "/ingest?tenant=a") { $0.headers = ["Authorization": "Bearer t0ken-123"] }
        #expect(try await sink.send(SinkTestBatches.batch(1...3)).accepted == 3)
        #expect(try await sink.send(SinkTestBatches.batch(4...5)).accepted == 2)
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(try ids(requests[0]) == [1, 2, 3])
        #expect(try ids(requests[1]) == [4, 5])
        #expect(requests[0].target == "/ingest?tenant=a")
        #expect(requests[0].header("Content-Type") == "application/json")
        #expect(requests[0].header("Authorization") == "Bearer t0ken-123")
        #expect(requests[0].connection == requests[1].connection, "the connection is reused across batches")
    }

    @Test func gzipCompressesTheBody() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { server.stop() }
        let sink = try sink(server.baseURL) { $0.http.compression = .gzip }
        _ = try await sink.send(SinkTestBatches.batch(1...50, padding: 100))
        let request = try #require(server.requests.first)
        #expect(request.header("Content-Encoding") == "gzip")
        #expect(request.body.count < request.decodedBody.count / 4)
        #expect(try ids(request) == Array(1...50))
    }

    @Test func retriesServerErrorsAndThrottlingThenSucceeds() async throws {
        let count = Counter()
        let server = try LoopbackHTTPServer { _ in
            switch count.next() {
            case 0: return .json(503, #"{"error":"busy"}"#)
            case 1: return .json(429, "{}", headers: [("Retry-After", "0")])
            case 2: return .drop
            default: return .json(200, "{}")
            }
        }
        defer { server.stop() }
        #expect(try await sink(server.baseURL).send(SinkTestBatches.batch(1...2)).accepted == 2)
        #expect(server.requests.count == 4)
        #expect(try server.requests.allSatisfy { try ids($0) == [1, 2] })
    }

    @Test func honoursRetryAfter() async throws {
        let count = Counter()
        let server = try LoopbackHTTPServer { _ in
            count.next() == 0 ? .json(429, "{}", headers: [("Retry-After", "1")]) : .json(200, "{}")
        }
        defer { server.stop() }
        let sink = try sink(server.baseURL) { $0.http.retry.retryMaxMS = 5_000 }
        let start = Date()
        _ = try await sink.send(SinkTestBatches.batch(1...1))
        #expect(Date().timeIntervalSince(start) >= 0.95, "waited as the receiver asked, not the 1 ms back-off")
    }

    @Test func aRefusalStopsWithStatusAndExcerptButNeverTheSecret() async throws {
        let server = try LoopbackHTTPServer { request in
            .json(401, #"{"error":"bad token \#(request.header("Authorization") ?? "")"}"#)
        }
        defer { server.stop() }
        let sink = try sink(server.baseURL + "/ingest") { $0.headers = ["Authorization": "Bearer s3cr3t-value"] }
        do {
            _ = try await sink.send(SinkTestBatches.batch(1...1))
            Issue.record("a 401 was accepted")
        } catch let error as SIEMError {
            #expect(error.exitCode == 69, "not retryable")
            // Whatever prints the error redacts the credential the receiver echoed.
            let printed = OutputRedaction.shared.apply(error.description)
            #expect(
                printed
                    == #"HTTP 401 from \#(server.baseURL)/ingest: {"error":"bad token [redacted]"} (sink generic)"#
            )
            #expect(!printed.contains("s3cr3t-value"))
        }
        #expect(server.requests.count == 1, "a permanent error is not retried")
    }

    @Test func anAnswerSlowerThanTheTimeoutIsRetriedThenGivenUp() async throws {
        let server = try LoopbackHTTPServer { _ in .delay(seconds: 1.5, then: .json(200, "{}")) }
        defer { server.stop() }
        let sink = try sink(server.baseURL) {
            $0.http.timeoutMS = 200
            $0.http.retry.maxRetries = 1
        }
        await #expect(throws: SIEMError.self) { _ = try await sink.send(SinkTestBatches.batch(1...1)) }
        do {
            _ = try await sink.send(SinkTestBatches.batch(1...1))
        } catch let error as SIEMError {
            #expect(error.description.contains("gave up after 1 retry"))
            #expect(error.exitCode == 75)
        }
    }

    @Test func anUnreachableReceiverIsARetryableFailure() async throws {
        let server = try LoopbackHTTPServer { _ in .json(200, "{}") }
        let url = server.baseURL
        server.stop()
        let sink = try sink(url) { $0.http.retry.maxRetries = 2 }
        do {
            _ = try await sink.send(SinkTestBatches.batch(1...1))
            Issue.record("delivered to a closed port")
        } catch let error as SIEMError {
            guard case .delivery(_, let message, let retryable) = error else { throw error }
            #expect(retryable)
            #expect(message.contains("gave up after 2 retries"))
        }
    }

    @Test func largeBatchesAreSplitAndAPartialFailureKeepsWhatWasTaken() async throws {
        let count = Counter()
        let server = try LoopbackHTTPServer { _ in count.next() < 2 ? .json(200, "{}") : .json(403, "no") }
        defer { server.stop() }
        let sink = try sink(server.baseURL) { $0.maxBatchBytes = 2_000 }
        do {
            _ = try await sink.send(SinkTestBatches.batch(1...40, padding: 100))
            Issue.record("no failure")
        } catch let partial as PartialDelivery {
            let sizes = try server.requests.map { try ids($0).count }
            #expect(partial.delivery.accepted == sizes[0] + sizes[1])
            #expect(server.requests.allSatisfy { $0.body.count <= 2_000 })
            #expect(try server.requests.flatMap { try ids($0) } == Array(1...(partial.delivery.accepted + sizes[2])))
        }
    }

    @Test func certificatesAreAlwaysVerifiedAndCAFileAddsATrustedCA() async throws {
        let certificates = try TestCertificates.make()
        let server = try LoopbackHTTPServer(
            certificateChain: certificates.certificateFile, privateKey: certificates.keyFile
        ) { _ in .json(200, "{}") }
        defer { server.stop() }
        do {
            _ = try await sink(server.baseURL).send(SinkTestBatches.batch(1...1))
            Issue.record("an unknown CA was trusted")
        } catch let error as SIEMError {
            guard case .delivery(_, let message, let retryable) = error else { throw error }
            #expect(!retryable, "a TLS refusal is a configuration problem, not retried")
            #expect(message.contains("certificate"), "\(message)")
        }
        let trusting = try sink(server.baseURL) { $0.http.caFile = certificates.caFile }
        #expect(try await trusting.send(SinkTestBatches.batch(1...2)).accepted == 2)
    }

    @Test func mutualTLSPresentsTheClientCertificate() async throws {
        let certificates = try TestCertificates.make()
        let server = try LoopbackHTTPServer(
            certificateChain: certificates.certificateFile, privateKey: certificates.keyFile,
            clientCA: certificates.caFile
        ) { _ in .json(200, "{}") }
        defer { server.stop() }
        let anonymous = try sink(server.baseURL) {
            $0.http.caFile = certificates.caFile
            $0.http.retry.maxRetries = 0
        }
        await #expect(throws: SIEMError.self) { _ = try await anonymous.send(SinkTestBatches.batch(1...1)) }
        #expect(server.requests.isEmpty, "no request got through without a client certificate")
        let identified = try sink(server.baseURL) {
            $0.http.caFile = certificates.caFile
            $0.http.clientCert = certificates.clientCertificateFile
            $0.http.clientKey = certificates.clientKeyFile
        }
        #expect(try await identified.send(SinkTestBatches.batch(1...2)).accepted == 2)
    }

    @Test func aConfiguredProxyCarriesTheRequest() async throws {
        let proxy = try LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { proxy.stop() }
        let sink = try sink("http://receiver.invalid/ingest") { $0.http.proxy = proxy.baseURL }
        #expect(try await sink.send(SinkTestBatches.batch(1...1)).accepted == 1)
        #expect(proxy.requests.first?.target == "http://receiver.invalid/ingest", "absolute-form request to the proxy")
    }

    @Test(arguments: ["ftp://x", "https://user:pw@host/x", "host:8080", "https:///path"])
    func refusesURLsThatAreNotPlainHTTPEndpoints(_ url: String) {
        var options = HTTPSink.Options()
        options.url = url
        #expect(throws: SIEMError.self) { try options.validate() }
    }
}

/// A thread-safe counter for scripting a server's answers in order.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        defer { value += 1 }
        return value
    }
}
