import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// A config with several sources (`sources:`), each with its own mapper and checkpoint, run
/// by one process with the built binary.
@Suite(.serialized) struct MultiSourceRunTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
        try cli.run(["demo-registry", cli.path("east.sqlite"), "--rows", "200"])
        try cli.run(["demo-registry", cli.path("west.sqlite"), "--rows", "50"])
        try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: true)
    }

    /// Two registries: `east` keeps its checkpoints in the config's state file, `west` in its own.
    func config(westSink: String = "{type: file, path: out/west-ecs.jsonl}") throws -> String {
        let text = """
            version: 1
            checkpoint: {path: state.sqlite}
            sources:
              - name: east
                source: {type: oversight_registry, path: east.sqlite}
                mapper: {type: oversight_beacon, registry_id: east-registry}
              - name: west
                source: {type: oversight_registry, path: west.sqlite}
                mapper: {type: oversight_beacon, registry_id: west-registry}
                checkpoint: {path: west-state.sqlite}
            pipelines:
              - name: east-ecs
                source: east
                formatter: {type: ecs}
                sink: {type: file, path: out/east-ecs.jsonl}
              - name: east-sentinel
                source: east
                formatter: {type: sentinel}
                sink: {type: file, path: out/east-sentinel.jsonl}
              - name: west-ecs
                source: west
                formatter: {type: ecs}
                sink: \(westSink)
            """
        try text.write(toFile: cli.path("multi.yaml"), atomically: true, encoding: .utf8)
        return cli.path("multi.yaml")
    }

    func records(_ name: String) throws -> [[String: Any]] {
        try String(contentsOfFile: cli.path("out/\(name).jsonl"), encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func eachSourceFeedsItsOwnPipelinesFromItsOwnCheckpoint() throws {
        let config = try config()
        let validate = try cli.run(["validate", "--config", config])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("OK: 3 pipeline(s) from 2 sources"))
        #expect(validate.stdout.contains("  west: beacon events from \(cli.path("west.sqlite"))"))

        let first = try cli.run(["run", "--config", config, "--summary-json", "summary.json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try records("east-ecs").count == 200 && records("east-sentinel").count == 200)
        let west = try records("west-ecs")
        #expect(west.count == 50)
        // Each source's mapper: the registry id is the source's own.
        func registry(_ record: [String: Any]) -> String? {
            (record["oversight"] as? [String: Any])?["registry_id"] as? String
        }
        #expect(west.allSatisfy { registry($0) == "west-registry" })
        #expect(try records("east-ecs").allSatisfy { registry($0) == "east-registry" })
        #expect(FileManager.default.fileExists(atPath: cli.path("west-state.sqlite")))
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.path("summary.json"))))
                as? [String: Any])
        let pipelines = try #require(summary["pipelines"] as? [[String: Any]])
        #expect(pipelines.map { $0["name"] as? String } == ["east-ecs", "east-sentinel", "west-ecs"])
        #expect(pipelines.map { $0["checkpoint"] as? Int } == [200, 200, 50])

        let again = try cli.run(["run", "--config", config])
        #expect(again.status == 0)
        #expect(again.stderr.contains("pipeline west-ecs: exported 0 event(s)"))
        #expect(again.stderr.contains("pipeline east-ecs: exported 0 event(s)"))
        #expect(try records("west-ecs").count == 50)
    }

    /// One source whose receiver is down does not stop the other; the run still fails, naming it.
    @Test func aFailingSourceStopsOnlyItsOwnPipelines() throws {
        let config = try config(
            westSink:
                "{type: http, url: 'http://127.0.0.1:9/ingest', max_retries: 1, retry_initial_ms: 1, retry_max_ms: 5}")
        let result = try cli.run(["run", "--config", config])
        #expect(result.status == 75, "\(result.stderr)")
        #expect(try records("east-ecs").count == 200 && records("east-sentinel").count == 200)
        #expect(result.stderr.contains("source 'west':"), "\(result.stderr)")
        #expect(result.stderr.contains("pipeline east-ecs: exported 200 event(s)"))
    }

    @Test func oneStateFileIsLockedOnceAndTwoRunsAreRefused() throws {
        let config = try config()
        let lock = try cli.start(["run", "--config", config, "--follow", "--poll-interval", "0.05"])
        defer {
            lock.terminate()
            lock.waitUntilExit()
        }
        // Once the follow run has delivered its first round, it holds both state files' locks.
        for _ in 0..<400 where (try? records("west-ecs").count) != 50 || (try? records("east-ecs").count) != 200 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(lock.isRunning, "\((try? String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)) ?? "")")
        let second = try cli.run(["run", "--config", config])
        #expect(second.status == 75 && second.stderr.contains("another siem-export run"), "\(second.stderr)")
    }
}
