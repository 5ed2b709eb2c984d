import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The shipped samples for the other security streams, run as documented over the tables
/// `demo-data` writes: config/audit.yaml, threat.yaml, decisions.yaml and all-streams.yaml.
@Suite(.serialized) struct SecurityStreamConfigTests {
    let cli: CLIHarness
    static let rows = 600

    init() throws {
        cli = try CLIHarness()
        try FileManager.default.createDirectory(atPath: cli.path("demo/out"), withIntermediateDirectories: true)
        for table in ["audit", "threat", "decisions"] {
            let made = try cli.run(["demo-data", table, cli.path("demo/app.sqlite"), "--rows", "\(Self.rows)"])
            #expect(made.status == 0, "\(made.stderr)")
        }
    }

    /// The sample with its `../demo/` paths pointed at this test's directory.
    func sample(_ name: String) throws -> String {
        let text = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("config/\(name)"), encoding: .utf8)
        try FileManager.default.createDirectory(atPath: cli.path("config"), withIntermediateDirectories: true)
        let path = cli.path("config/\(name)")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func lines(_ file: String) throws -> [String] {
        try String(contentsOfFile: cli.path("demo/out/\(file)"), encoding: .utf8).split(separator: "\n").map(
            String.init)
    }

    func objects(_ file: String) throws -> [[String: Any]] {
        try lines(file).map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// Every row becomes an event but the one in 500 whose time cannot be read, which is
    /// dead-lettered with its reason; and nothing the details held as a credential leaves.
    @Test(arguments: [
        ("audit.yaml", ["audit-ecs.jsonl", "audit-hec.jsonl"], "audit-state.sqlite", "`fields.time` (ts)"),
        ("threat.yaml", ["threat-ocsf.jsonl", "threat-cef.log"], "threat-state.sqlite", "`fields.time` (detected_at)"),
        (
            "decisions.yaml", ["decisions-sentinel.jsonl", "decisions-syslog.log"], "decisions-state.sqlite",
            "`fields.time` (decided_at) is NULL"
        ),
    ])
    func aSampleExportsItsTableAsDocumented(config: String, outputs: [String], state: String, reason: String) throws {
        let path = try sample(config)
        let validate = try cli.run(["validate", "--config", path])
        #expect(validate.status == 0, "\(validate.stderr)")
        let run = try cli.run(["run", "--config", path])
        #expect(run.status == 0, "\(run.stderr)")
        for output in outputs {
            let records = try lines(output)
            #expect(records.count == Self.rows - 1, "\(output)")
            for secret in ["hunter2", "Bearer tok-", "leaked-", "sk-1"] {
                #expect(!records.joined().contains(secret), "\(output) holds \(secret)")
            }
        }
        let dead = try String(contentsOfFile: cli.path("demo/\(state).dead-letter.jsonl"), encoding: .utf8)
        #expect(dead.split(separator: "\n").count == 1 && dead.contains(reason), "\(dead)")
        let again = try cli.run(["run", "--config", path])
        #expect(again.status == 0 && again.stderr.contains("exported 0 event(s)"))
    }

    @Test func theAuditSampleIsTheIssuesShapeInECS() throws {
        let run = try cli.run(["run", "--config", try sample("audit.yaml")])
        #expect(run.status == 0, "\(run.stderr)")
        let events = try objects("audit-ecs.jsonl")
        let failed = events.filter { (($0["event"] as? [String: Any])?["outcome"] as? String) == "failure" }
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { (($0["event"] as? [String: Any])?["severity"] as? Int) == 3 })
        #expect(events.allSatisfy { (($0["organization"] as? [String: Any])?["id"] as? String) == "acme" })
    }

    @Test func allStreamsRunsEverySourceInOneProcess() throws {
        let made = try cli.run(["demo-registry", cli.path("demo/registry.sqlite"), "--rows", "300"])
        #expect(made.status == 0)
        let run = try cli.run(["run", "--config", try sample("all-streams.yaml")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try lines("all-registry-ecs.jsonl").count == 300)
        for stream in ["audit", "threats", "decisions"] {
            #expect(try lines("all-\(stream)-ecs.jsonl").count == Self.rows - 1, "\(stream)")
        }
        #expect(FileManager.default.fileExists(atPath: cli.path("demo/decisions-state.sqlite")))
    }
}
