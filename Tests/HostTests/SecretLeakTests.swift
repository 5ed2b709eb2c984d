import Foundation
import SIEMTestSupport
import Testing

/// No credential leaves the process, whatever a receiver echoes: each secret of the config (HEC
/// token, Elasticsearch API key, Azure client secret and the token it buys, a `${file:…}`
/// header) is planted in every kind of answer — a 4xx body, a 5xx body, HEC's invalid-data text,
/// an Elasticsearch item's error reason, a redirect's Location — and every output is searched
/// for it: standard error (text and JSON logs), the run summary, the dead-letter file, and every
/// file the run leaves in its directory.
@Suite(.serialized) struct SecretLeakTests {
    let cli: CLIHarness
    let db: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "30"])
    }

    /// Runs `sink` as the one pipeline of a config, in both log formats, and fails if `secret`
    /// appears in anything the runs wrote; returns the text log's standard error.
    @discardableResult
    func runLeakingNothing(
        sink: String, formatter: String, secret: String, environment: [String: String], expectStatus: Int32? = nil
    ) throws -> String {
        var textStderr = ""
        let run = UUID().uuidString.prefix(8)
        for format in ["text", "json"] {
            let state = cli.path("state-\(run)-\(format).sqlite")
            let yaml = """
                version: 1
                source: {type: oversight_registry, path: \(db)}
                mapper: {type: oversight_beacon, registry_id: reg1}
                checkpoint: {path: \(state)}
                batch_size: 10
                pipelines:
                  - name: p
                    formatter: {type: \(formatter)}
                    sink: \(sink)
                """
            try yaml.write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
            let summary = cli.path("summary-\(run)-\(format).json")
            let result = try cli.run(
                ["run", "--config", cli.path("siem.yaml"), "--log-format", format, "--summary-json", summary],
                environment: environment)
            if let expectStatus { #expect(result.status == expectStatus, "\(result.stderr)") }
            if format == "text" { textStderr = result.stderr }
            #expect(!result.stderr.contains(secret), "stderr (\(format)) leaks it: \(result.stderr)")
            #expect(!result.stdout.contains(secret))
            for file in try FileManager.default.contentsOfDirectory(atPath: cli.directory.path)
            where !file.hasSuffix(".yaml") && !file.hasSuffix(".txt") && !file.hasSuffix(".secret")
                && !file.hasPrefix("registry")
            {
                let data = try Data(contentsOf: cli.directory.appendingPathComponent(file))
                #expect(
                    data.range(of: Data(secret.utf8)) == nil,
                    "\(file) leaks it: \(String(decoding: data, as: UTF8.self))")
            }
        }
        return textStderr
    }

    @Test func aSplunkTokenEchoedInInvalidDataTextAndA5xxBodyStaysOut() throws {
        let hec = try FakeSplunkHEC(token: "7d1e4c2a-hec-secret-token")
        defer { hec.stop() }
        // Event 5 is refused as invalid, with the token in HEC's text; the dead-letter file's
        // reason and the warning line would carry it.
        let echoing = try LoopbackHTTPServer { request in
            let body = String(decoding: request.decodedBody, as: UTF8.self)
            if request.path == "/services/collector/event", body.contains(#""event_id":"5""#) {
                return .json(400, #"{"text":"Invalid data format (token \#(hec.token))","code":6}"#)
            }
            return hec.forward(request)
        }
        defer { echoing.stop() }
        let stderr = try runLeakingNothing(
            sink: "{type: splunk_hec, url: \"\(echoing.baseURL)\", token: \"${env:HEC_TOKEN}\", health_check: false}",
            formatter: "splunk_hec", secret: hec.token, environment: ["HEC_TOKEN": hec.token], expectStatus: 0)
        #expect(stderr.contains("Invalid data format (token [redacted])"), "the reason is kept, redacted: \(stderr)")

        let busy = try LoopbackHTTPServer { _ in .json(503, #"{"text":"busy for \#(hec.token)","code":9}"#) }
        defer { busy.stop() }
        try runLeakingNothing(
            sink:
                "{type: splunk_hec, url: \"\(busy.baseURL)\", token: \"${env:HEC_TOKEN}\", health_check: false, max_retries: 1, retry_initial_ms: 1}",
            formatter: "splunk_hec", secret: hec.token, environment: ["HEC_TOKEN": hec.token], expectStatus: 75)
    }

    @Test func anElasticsearchKeyEchoedInAnItemReasonAndA401BodyStaysOut() throws {
        let key = "c2llbTpzZWNyZXQta2V5"
        let es = try FakeElasticsearch(authorization: "ApiKey " + key) { id, _ in
            id == "reg1:4" ? (400, "mapper_parsing_exception", "cannot parse with ApiKey \(key)") : nil
        }
        defer { es.stop() }
        try runLeakingNothing(
            sink: "{type: elasticsearch, url: \"\(es.url)\", api_key: \"${env:ES_KEY}\"}", formatter: "ecs",
            secret: key, environment: ["ES_KEY": key], expectStatus: 0)

        let refusing = try LoopbackHTTPServer { request in
            .json(401, #"{"error":"bad \#(request.header("Authorization") ?? "")"}"#)
        }
        defer { refusing.stop() }
        try runLeakingNothing(
            sink: "{type: elasticsearch, url: \"\(refusing.baseURL)\", api_key: \"${env:ES_KEY}\"}", formatter: "ecs",
            secret: key, environment: ["ES_KEY": key], expectStatus: 69)
    }

    @Test func anAzureClientSecretAndItsTokenEchoedInA400BodyStayOut() throws {
        let secret = "azure-client-secret-value-42"
        let token = "eyJ0eXAi.bearer-token-value.sig"
        let azure = try LoopbackHTTPServer { request in
            if request.path.hasSuffix("/token") {
                return .json(200, #"{"access_token":"\#(token)","expires_in":3600}"#)
            }
            return .json(400, #"{"error":"\#(request.header("Authorization") ?? "") with \#(secret) refused"}"#)
        }
        defer { azure.stop() }
        let sink = """
            {type: azure_logs_ingestion, endpoint: "\(azure.baseURL)", dcr_immutable_id: dcr-1, stream: Custom-X, \
            tenant_id: t, client_id: c, client_secret: "${env:AZURE_SECRET}", token_url: "\(azure.baseURL)/token"}
            """
        for leaked in [secret, token] {
            try runLeakingNothing(
                sink: sink, formatter: "sentinel", secret: leaked, environment: ["AZURE_SECRET": secret],
                expectStatus: 69)
        }
    }

    @Test func aFileReferencedHeaderEchoedInARedirectLocationStaysOut() throws {
        let key = "file-held-api-key-0123456789"
        try (key + "\n").write(toFile: cli.path("api-key.secret"), atomically: false, encoding: .utf8)
        let redirecting = try LoopbackHTTPServer { _ in
            .respond(
                status: 302, headers: [("Location", "https://elsewhere.example/in?key=\(key)")],
                body: Array("moved; your key \(key) is fine".utf8))
        }
        defer { redirecting.stop() }
        let stderr = try runLeakingNothing(
            sink:
                "{type: http, url: \"\(redirecting.baseURL)/in\", headers: {X-Api-Key: \"${file:\(cli.path("api-key.secret"))}\"}}",
            formatter: "ecs", secret: key, environment: [:], expectStatus: 69)
        #expect(stderr.contains("redirects to https://elsewhere.example/in"), "the redirect is named: \(stderr)")
    }
}
