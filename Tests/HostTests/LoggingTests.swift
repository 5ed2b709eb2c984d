import Foundation
import GRDB
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// `--log-format json` and `--log-level`, through the real binary: every line a JSON object a
/// log shipper can read, levels honoured, and never a credential.
@Suite(.serialized) struct LoggingTests {
    let cli: CLIHarness
    let db: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "50"])
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE events SET kind = '' WHERE id = 7") }
    }

    func writeConfig(url: String) throws -> String {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: \(db)}
            mapper: {type: oversight_beacon, registry_id: reg}
            checkpoint: {path: \(cli.path("state.sqlite"))}
            batch_size: 20
            pipelines:
              - name: splunk
                formatter: {type: splunk_hec}
                sink: {type: splunk_hec, url: "\(url)", token: "${env:HEC_TOKEN}", retry_initial_ms: 1, retry_max_ms: 5}
            """
        try yaml.write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
        return cli.path("siem.yaml")
    }

    @Test func jsonLogsCarryLevelsRetriesDeadLettersAndSummariesButNoSecret() throws {
        let hec = try FakeSplunkHEC { post in post < 2 ? .json(503, #"{"text":"Server is busy","code":9}"#) : nil }
        defer { hec.stop() }
        let config = try writeConfig(url: hec.url)
        let run = try cli.run(
            ["run", "--config", config, "--log-format", "json", "--log-level", "debug"],
            environment: ["HEC_TOKEN": hec.token])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains(hec.token) && !run.stdout.contains(hec.token))
        let records = try run.stderr.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String], "\($0)")
        }
        #expect(records.allSatisfy { $0["time"] != nil && $0["level"] != nil && $0["message"] != nil })
        let retries = records.filter { $0["message"]?.hasPrefix("retrying: ") == true }
        #expect(retries.count == 2)
        #expect(retries.allSatisfy { $0["level"] == "warning" && $0["pipeline"] == "splunk" })
        #expect(records.contains { $0["level"] == "warning" && $0["row_ids"] == "7" })
        #expect(records.filter { $0["message"] == "batch delivered" && $0["level"] == "debug" }.count == 3)
        #expect(
            records.contains {
                $0["level"] == "info" && $0["message"]?.hasPrefix("pipeline splunk: exported 49") == true
            })
    }

    @Test func aLevelHidesWhatIsLessSevereAndErrorsStayOneLine() throws {
        let hec = try FakeSplunkHEC { _ in .json(403, #"{"text":"Invalid token","code":4}"#) }
        defer { hec.stop() }
        let config = try writeConfig(url: hec.url)
        let quiet = try cli.run(
            ["run", "--config", config, "--log-level", "error", "--log-format", "json"],
            environment: ["HEC_TOKEN": hec.token])
        #expect(quiet.status != 0)
        let lines = quiet.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(quiet.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: String])
        #expect(record["level"] == "error")
        #expect(record["exit_code"] == "\(quiet.status)")
        #expect(!quiet.stderr.contains(hec.token))
    }
}
