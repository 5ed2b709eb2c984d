import Foundation
import GRDB
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// `siem-export tap`: the records a pipeline would send next, from the source as it is now,
/// with nothing delivered, no sink opened and the checkpoint file untouched.
@Suite(.serialized) struct TapCommandTests {
    let cli: CLIHarness
    let db: String
    let config: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "300"])
        config = try CLITests.demoConfig(in: cli, db: db)
    }

    func ids(_ stdout: String, key: String = "EventId") -> [Int] {
        stdout.split(separator: "\n").compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?[key] as? String
        }.compactMap { Int($0) }
    }

    /// The state file's bytes and time (and its WAL's), and which files sit beside it. SQLite's
    /// shared-memory index (`-shm`), when a run left one, is counted only as present: a reader
    /// maps it, and it holds no data.
    func stateFiles() throws -> [String: String] {
        var seen: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: cli.directory.path)
        where name.hasPrefix("state.sqlite") {
            let path = cli.path(name)
            if name.hasSuffix("-shm") {
                seen[name] = "present"
                continue
            }
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            seen[name] = "\(bytes.hashValue) \(attributes[.modificationDate].map { "\($0)" } ?? "")"
        }
        return seen
    }

    @Test func itPrintsTheNextRecordsAfterTheCheckpointAndMovesNothing() throws {
        let before = try cli.run(["tap", "--config", config, "--pipeline", "sentinel", "--limit", "5"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(ids(before.stdout) == [1, 2, 3, 4, 5])
        #expect(before.stderr.contains("tap: 5 record(s) of pipeline sentinel (sentinel, from the first row)"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("state.sqlite")), "no state file made")
        #expect(!FileManager.default.fileExists(atPath: cli.path("out/sentinel.jsonl")), "the sink was never opened")

        #expect(try cli.run(["run", "--config", config]).status == 0)
        let state = try stateFiles()
        let caughtUp = try cli.run(["tap", "--config", config, "--pipeline", "sentinel"])
        #expect(caughtUp.status == 0 && caughtUp.stdout.isEmpty)
        #expect(caughtUp.stderr.contains("0 record(s) of pipeline sentinel (sentinel, after checkpoint id 300)"))

        // Three new rows: exactly those, however often one looks.
        try DatabaseQueue(path: db).write { db in
            for _ in 0..<3 {
                try db.execute(
                    sql: "INSERT INTO events (token_id, kind, timestamp) VALUES ('tok_new', 'dns', 1767225600)")
            }
        }
        let output = try String(contentsOfFile: cli.path("out/sentinel.jsonl"), encoding: .utf8)
        for _ in 0..<2 {
            let next = try cli.run(["tap", "--config", config, "--pipeline", "sentinel", "--limit", "10"])
            #expect(ids(next.stdout) == [301, 302, 303], "\(next.stderr)")
        }
        #expect(try stateFiles() == state, "the checkpoint file is untouched, and nothing appeared beside it")
        #expect(try String(contentsOfFile: cli.path("out/sentinel.jsonl"), encoding: .utf8) == output)
        #expect(
            ids(
                try cli.run(["tap", "--config", config, "--pipeline", "sentinel", "--from-start", "--limit", "2"])
                    .stdout) == [1, 2])
    }

    /// A network sink is not even asked for its health: the receiver sees nothing.
    @Test func aNetworkSinkIsNeverOpened() throws {
        let server = try LoopbackHTTPServer { _ in .json(200, #"{"text":"Success","code":0}"#) }
        defer { server.stop() }
        let path = cli.path("hec.yaml")
        try """
        version: 1
        source: {type: oversight_registry, path: \(db)}
        mapper: {type: oversight_beacon, registry_id: r}
        checkpoint: {path: \(cli.path("state.sqlite"))}
        pipelines:
          - name: hec
            formatter: {type: splunk_hec}
            sink: {type: splunk_hec, url: "\(server.baseURL)", token: "${env:SIEM_TEST_TOKEN}"}
            redact: {source_ip: truncate}
        """.write(toFile: path, atomically: false, encoding: .utf8)
        let result = try cli.run(
            ["tap", "--config", path, "--pipeline", "hec", "--limit", "3"], environment: ["SIEM_TEST_TOKEN": "t-1"])
        #expect(result.status == 0, "\(result.stderr)")
        let records = result.stdout.split(separator: "\n")
        #expect(records.count == 3)
        #expect(records.allSatisfy { $0.contains(#""sourcetype":"oversight:beacon""#) }, "the HEC envelope")
        let addresses = records.compactMap {
            (((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["event"] as? [String: Any])?[
                "source_ip"] as? String
        }
        #expect(!addresses.isEmpty)
        #expect(
            addresses.allSatisfy { $0.hasSuffix(".0") || $0.hasSuffix("::") }, "the pipeline's redaction: \(addresses)")
        #expect(server.requests.isEmpty, "no request reached the receiver")
        #expect(result.stderr.contains("that would go to \(server.baseURL)"))
    }

    @Test func anUnknownPipelineIsNamedWithAHint() throws {
        let result = try cli.run(["tap", "--config", config, "--pipeline", "elastc"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: \(config) has no pipeline 'elastc' (did you mean 'elastic'?)\n")
    }
}
