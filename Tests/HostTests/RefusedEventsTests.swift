import Foundation
import GRDB
import SIEMTestSupport
import Testing

/// An event a receiver refuses for good goes to the pipeline's dead-letter file with the
/// receiver's reason and its id, is counted as dead-lettered (never as delivered) in the
/// summary, the metrics and the pipeline's line, and delivery goes on; `on_refused: stop` is
/// the explicit way to stop instead.
@Suite(.serialized) struct RefusedEventsTests {
    let cli: CLIHarness
    let db: String
    static let rows = 60

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "\(Self.rows)"])
    }

    func config(_ sink: String, formatter: String, pipelineExtra: String = "") throws -> String {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: \(db)}
            mapper: {type: oversight_beacon, registry_id: reg1}
            checkpoint: {path: \(cli.path("state.sqlite"))}
            batch_size: 25
            pipelines:
              - name: p
                formatter: {type: \(formatter)}
                sink: \(sink)
            \(pipelineExtra.isEmpty ? "" : "    " + pipelineExtra)
            """
        try yaml.write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
        return cli.path("siem.yaml")
    }

    func deadLetters() throws -> [[String: Any]] {
        let path = cli.path("state.sqlite.dead-letter.jsonl")
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func summary(_ path: String) throws -> [String: Any] {
        let pipelines =
            try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            )["pipelines"] as? [[String: Any]]
        return try #require(pipelines?.first)
    }

    @Test func eventsHECRefusesAreCountedAsDeadLetteredNamedAndNeverAsDelivered() throws {
        let hec = try FakeSplunkHEC()
        defer { hec.stop() }
        // Events 7 and 40 are blank to HEC (code 13), whatever request they travel in.
        let refusing = try LoopbackHTTPServer { request in
            let body = String(decoding: request.decodedBody, as: UTF8.self)
            if request.path == "/services/collector/event",
                body.contains(#""event_id":"7""#) || body.contains(#""event_id":"40""#)
            {
                return .json(400, #"{"text":"Event field cannot be blank","code":13}"#)
            }
            return hec.forward(request)
        }
        defer { refusing.stop() }
        let config = try config(
            "{type: splunk_hec, url: \"\(refusing.baseURL)\", token: \"${env:HEC_TOKEN}\", health_check: false}",
            formatter: "splunk_hec")
        let summaryPath = cli.path("summary.json")
        let run = try cli.run(
            ["run", "--config", config, "--summary-json", summaryPath], environment: ["HEC_TOKEN": hec.token])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(hec.indexedIDs) == Set((1...Self.rows).filter { $0 != 7 && $0 != 40 }))
        let pipeline = try summary(summaryPath)
        #expect(pipeline["delivered"] as? Int == Self.rows - 2)
        #expect(pipeline["dead_lettered"] as? Int == 2)
        #expect(pipeline["checkpoint"] as? Int == Self.rows)
        #expect(run.stderr.contains("exported \(Self.rows - 2) event(s)"))
        #expect(
            run.stderr.contains("2 row(s) dead-lettered to") && run.stderr.contains("refused by the receiver: 7,40"))
        let dead = try deadLetters()
        #expect(dead.map { $0["event_id"] as? Int } == [7, 40])
        #expect(dead.allSatisfy { $0["reason"] as? String == "HEC code 13: Event field cannot be blank" })
        #expect(dead.allSatisfy { $0["pipeline"] as? String == "p" })
        #expect((dead.first?["record"] as? String)?.contains(#""event_id":"7""#) == true)
    }

    /// A beacon's user agent is chosen by whoever triggers the callback: one of 1 MiB must not
    /// blind the SOC's feed. Azure takes at most 1,000,000 bytes per call, so it is set aside
    /// without a round trip and every other event is delivered.
    @Test func anEventAzureCanNeverTakeIsSetAsideUnsentAndTheRestDelivered() throws {
        try DatabaseQueue(path: db).write {
            try $0.execute(
                sql: "UPDATE events SET user_agent = ? WHERE id = 17",
                arguments: [String(repeating: "A", count: 1 << 20)])
        }
        let tally = Tally()
        let azure = try LoopbackHTTPServer { request in
            if request.path.hasSuffix("/token") { return .json(200, #"{"access_token":"tok","expires_in":3600}"#) }
            let records = (try? JSONSerialization.jsonObject(with: Data(request.decodedBody)) as? [Any])?.count ?? 0
            tally.record(bytes: request.decodedBody.count, records: records)
            guard request.decodedBody.count <= 1_000_000 else { return .json(413, #"{"error":"too large"}"#) }
            return .respond(status: 204, headers: [], body: [])
        }
        defer { azure.stop() }
        let sink = """
            {type: azure_logs_ingestion, endpoint: "\(azure.baseURL)", dcr_immutable_id: dcr-1, stream: Custom-X, \
            tenant_id: t, client_id: c, client_secret: "${env:AZURE_SECRET}", token_url: "\(azure.baseURL)/token"}
            """
        let run = try cli.run(
            ["run", "--config", try config(sink, formatter: "sentinel")], environment: ["AZURE_SECRET": "s3cr3t-1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(tally.records == Self.rows - 1)
        #expect(tally.largest <= 1_000_000, "the oversized call was never made")
        let dead = try deadLetters()
        #expect(dead.map { $0["event_id"] as? Int } == [17])
        #expect((dead.first?["reason"] as? String)?.contains("the Logs Ingestion API takes at most 1000000") == true)
        #expect(
            try cli.run(["run", "--config", cli.path("siem.yaml")], environment: ["AZURE_SECRET": "s3cr3t-1"])
                .stderr.contains("exported 0 event(s)"), "a rerun does not hit the same row again")
    }

    @Test func aMappingErrorInElasticsearchIsSetAsideAndTheRunGoesOn() throws {
        let es = try FakeElasticsearch(authorization: "ApiKey a2V5") { id, _ in
            id == "reg1:33" ? (400, "mapper_parsing_exception", "failed to parse field [source.ip] of type [ip]") : nil
        }
        defer { es.stop() }
        let run = try cli.run(
            [
                "run", "--config",
                try config("{type: elasticsearch, url: \"\(es.url)\", api_key: \"${env:K}\"}", formatter: "ecs"),
            ],
            environment: ["K": "a2V5"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(es.ids) == Set((1...Self.rows).filter { $0 != 33 }.map { "reg1:\($0)" }))
        let dead = try deadLetters()
        #expect(dead.map { $0["event_id"] as? Int } == [33])
        #expect((dead.first?["reason"] as? String)?.contains("mapper_parsing_exception") == true)
        // The record kept is the document, not the bulk action line.
        #expect((dead.first?["record"] as? String)?.hasPrefix(#"{"@timestamp""#) == true)
    }

    @Test func onRefusedStopKeepsTheRefusedEventAndEverythingAfterIt() throws {
        let es = try FakeElasticsearch(authorization: "ApiKey a2V5") { id, _ in
            id == "reg1:33" ? (400, "mapper_parsing_exception", "failed to parse") : nil
        }
        defer { es.stop() }
        let config = try config(
            "{type: elasticsearch, url: \"\(es.url)\", api_key: \"${env:K}\"}", formatter: "ecs",
            pipelineExtra: "on_refused: stop")
        let run = try cli.run(["run", "--config", config], environment: ["K": "a2V5"])
        #expect(run.status == 69)
        #expect(run.stderr.contains("the receiver refused event 33 for good"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("state.sqlite.dead-letter.jsonl")))
        // The checkpoint stops right before event 33: the next run starts there again.
        let checkpoint = try DatabaseQueue(path: cli.path("state.sqlite")).read {
            try Int.fetchOne($0, sql: "SELECT last_id FROM checkpoints WHERE pipeline = 'p'")
        }
        #expect(checkpoint == 32)
        let again = try cli.run(["run", "--config", config], environment: ["K": "a2V5"])
        #expect(again.status == 69 && again.stderr.contains("refused event 33"))
    }
}

/// What a test receiver was sent: records in all, and the largest body.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var recordCount = 0
    private var largestBody = 0

    func record(bytes: Int, records: Int) {
        lock.withLock {
            recordCount += records
            largestBody = max(largestBody, bytes)
        }
    }
    var records: Int { lock.withLock { recordCount } }
    var largest: Int { lock.withLock { largestBody } }
}
