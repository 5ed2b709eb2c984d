import Foundation
import GRDB
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The `siem-export` binary end to end, as an operator runs it.
@Suite(.serialized) struct CLITests {
    let cli: CLIHarness
    let db: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "300"])
    }

    func lines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func writeConfig(_ name: String = "siem.yaml", outDir: String = "out") throws -> String {
        try Self.demoConfig(in: cli, db: db, name: name, outDir: outDir)
    }

    /// config/demo.yaml pointed at `db`, with its state and outputs in the harness's folder.
    static func demoConfig(
        in cli: CLIHarness, db: String, name: String = "siem.yaml", outDir: String = "out"
    ) throws -> String {
        try FileManager.default.createDirectory(atPath: cli.path(outDir), withIntermediateDirectories: true)
        let template = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("config/demo.yaml"), encoding: .utf8)
        let config = template.replacingOccurrences(of: "../demo/registry.sqlite", with: db)
            .replacingOccurrences(of: "../demo/state.sqlite", with: cli.path("state.sqlite"))
            .replacingOccurrences(of: "../demo/out/", with: cli.path(outDir) + "/")
        try config.write(toFile: cli.path(name), atomically: false, encoding: .utf8)
        return cli.path(name)
    }

    @Test func exportWritesJSONLinesOrderedByTimestampThenIdWithAClosingLine() throws {
        // Small batches: timestamp order crosses batch boundaries with ids going up and down.
        let result = try cli.run([
            "export", "--db", db, "--format", "splunk", "--registry-id", "reg", "--batch-size", "7",
        ])
        #expect(result.status == 0)
        #expect(
            result.stderr.hasPrefix("exported 300 event(s) as splunk in ") && result.stderr.hasSuffix(" events/s)\n"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        let events = lines(result.stdout)
        #expect(events.count == 300)
        let keys = events.map {
            ($0["time"] as? Int ?? 0, Int(($0["event"] as? [String: Any])?["event_id"] as? String ?? "") ?? 0)
        }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Set(keys.map(\.1)) == Set(1...300))
        #expect(keys.map(\.1) != Array(1...300), "the demo's late arrivals make timestamp order differ from id order")
    }

    @Test func exportInIdOrderWithSinceAndLimit() throws {
        let ordered = lines(
            try cli.run(["export", "--db", db, "--format", "sentinel", "--registry-id", "r", "--order", "id"]).stdout)
        #expect(ordered.map { Int($0["EventId"] as? String ?? "") ?? 0 } == Array(1...300))
        let since = DemoRegistryWriter.firstTimestamp + 100 * 53
        let expected = try DatabaseQueue(path: db).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE timestamp >= ?", arguments: [since])
        }
        let filtered = try cli.run([
            "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--since", "\(since)",
        ])
        #expect(lines(filtered.stdout).count == expected)
        #expect(filtered.stderr.hasPrefix("exported \(expected ?? -1) event(s) as ecs in "))
        let limited = try cli.run(["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--limit", "5"])
        #expect(lines(limited.stdout).count == 5)
    }

    @Test(arguments: ["splunk", "splunk_hec", "ecs", "sentinel"])
    func exportAcceptsFormatNamesAndFormatterIds(format: String) throws {
        let result = try cli.run(["export", "--db", db, "--format", format, "--registry-id", "r", "--limit", "2"])
        #expect(result.status == 0)
        #expect(lines(result.stdout).count == 2)
    }

    @Test func exportAppendsToAFileAndAppliesSplunkFlags() throws {
        let out = cli.path("export.jsonl")
        let args = [
            "export", "--db", db, "--format", "splunk", "--registry-id", "r", "--output", out, "--limit", "10",
            "--splunk-index", "oversight", "--splunk-source", "src", "--splunk-sourcetype", "st",
        ]
        #expect(try cli.run(args).stdout.isEmpty)
        #expect(try cli.run(args + ["--append"]).status == 0)
        let events = lines(try String(contentsOfFile: out, encoding: .utf8))
        #expect(events.count == 20)
        #expect(
            events.allSatisfy {
                $0["index"] as? String == "oversight" && $0["source"] as? String == "src"
                    && $0["sourcetype"] as? String == "st"
            })
    }

    @Test func runDeliversFromItsCheckpointThenNothingThenExactlyTheNewRows() throws {
        let config = try writeConfig()
        let first = try cli.run(["run", "--config", config])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stderr.contains(
                "pipeline splunk: exported 300 event(s) as splunk_hec to \(cli.path("out/splunk-hec.jsonl"))"))
        let files = ["splunk-hec", "ecs", "sentinel"].map { cli.path("out/\($0).jsonl") }
        let before = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }
        #expect(before.allSatisfy { lines($0).count == 300 })

        let second = try cli.run(["run", "--config", config])
        #expect(second.stderr.contains("pipeline sentinel: exported 0 event(s)"))
        #expect(try files.map { try String(contentsOfFile: $0, encoding: .utf8) } == before)

        try DatabaseQueue(path: db).write { db in
            for i in 0..<5 {
                try db.execute(
                    sql: "INSERT INTO events (token_id, kind, timestamp) VALUES (?, 'license', ?)",
                    arguments: ["new\(i)", 1_800_000_000 + i])
            }
        }
        let third = try cli.run(["run", "--config", config])
        #expect(third.stderr.contains("pipeline elastic: exported 5 event(s)"))
        let sentinel = lines(try String(contentsOfFile: files[2], encoding: .utf8))
        #expect(sentinel.count == 305)
        #expect(sentinel.suffix(5).map { $0["EventId"] as? String } == (301...305).map { "\($0)" })
        #expect(sentinel.suffix(5).map { $0["TokenId"] as? String } == (0..<5).map { "new\($0)" })
    }

    @Test func rowsThatCannotBecomeEventsGoToTheDeadLetterFileAndTheRunGoesOn() throws {
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: "UPDATE events SET kind = '' WHERE id = 150")
            try db.execute(sql: "UPDATE events SET timestamp = 'soon' WHERE id = 151")
            try db.execute(sql: "UPDATE events SET timestamp = 1e999, user_agent = X'00FF' WHERE id = 200")
        }
        let config = try writeConfig()
        let summaryPath = cli.path("summary.json")
        let run = try cli.run(["run", "--config", config, "--summary-json", summaryPath])
        #expect(run.status == 0, "\(run.stderr)")
        let deadLetterPath = cli.path("state.sqlite.dead-letter.jsonl")
        #expect(run.stderr.contains("3 row(s) dead-lettered to \(deadLetterPath)"))
        let ids = lines(try String(contentsOfFile: cli.path("out/ecs.jsonl"), encoding: .utf8)).map {
            ($0["event"] as? [String: Any])?["id"] as? String
        }
        #expect(ids == (1...300).filter { ![150, 151, 200].contains($0) }.map { "\($0)" })

        let dead = lines(try String(contentsOfFile: deadLetterPath, encoding: .utf8))
        #expect(dead.map { $0["source_row_id"] as? Int } == [150, 151, 200])
        #expect(
            dead.map { $0["reason"] as? String } == [
                "`kind` is empty", "`timestamp` is not a number: \"soon\"", "`timestamp` is not a number: \"inf\"",
            ])
        let row = try #require(dead[2]["row"] as? [String: Any])
        #expect(row["id"] as? Int == 200)
        #expect(row["timestamp"] as? String == "Infinity")
        #expect((row["user_agent"] as? [String: String]) == ["blob_hex": "00ff"])
        #expect((dead[0]["row"] as? [String: Any])?["kind"] as? String == "")

        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
                as? [String: Any])
        #expect(summary["status"] as? String == "completed")
        #expect(summary["rows_read"] as? Int == 300)
        let pipelines = try #require(summary["pipelines"] as? [[String: Any]])
        #expect(pipelines.map { $0["delivered"] as? Int } == [297, 297, 297])
        #expect(pipelines.map { $0["dead_lettered"] as? Int } == [3, 3, 3])
        #expect(pipelines.map { $0["checkpoint"] as? Int } == [300, 300, 300])

        // Checkpointed past them: a second run neither re-sends nor re-dead-letters anything.
        #expect(try cli.run(["run", "--config", config]).status == 0)
        #expect(lines(try String(contentsOfFile: deadLetterPath, encoding: .utf8)).count == 3)
    }

    /// One bad row does not hide the rows after it: `export` names it on standard error (or
    /// writes it to `--dead-letter FILE`), goes on to the end, and exits 65 to say so.
    @Test func anExportSetsABadRowAsideNamesItAndGoesOn() throws {
        try DatabaseQueue(path: db).write {
            try $0.execute(sql: "UPDATE events SET kind = '' WHERE id IN (150, 200)")
        }
        let named = try cli.run(["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--order", "id"])
        #expect(named.status == 65)
        #expect(named.stderr.contains("warning: row 150 cannot become an event: `kind` is empty"))
        #expect(named.stderr.contains("warning: row 200 cannot become an event: `kind` is empty"))
        #expect(named.stderr.contains("exported 298 event(s) as ecs in "))
        #expect(named.stderr.contains(" events/s); 2 dead-lettered to standard error"))
        #expect(named.stdout.split(separator: "\n").count == 298, "every other row, including those after 150")

        let dead = cli.path("export-dead.jsonl")
        let filed = try cli.run([
            "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--order", "id", "--dead-letter", dead,
        ])
        #expect(filed.status == 65)
        #expect(filed.stdout.split(separator: "\n").count == 298)
        let lines = try String(contentsOfFile: dead, encoding: .utf8).split(separator: "\n")
        let ids = try lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["source_row_id"]
                as? Int
        }
        #expect(ids == [150, 200])
        #expect(filed.stderr.contains("2 dead-lettered to \(dead)"))
    }

    @Test func followModeServesMetricsOnLoopbackWhileItRuns() throws {
        let config = try writeConfig()
        try (try String(contentsOfFile: config, encoding: .utf8) + "metrics: {listen: 0}\n")
            .write(toFile: config, atomically: false, encoding: .utf8)
        let process = try cli.start(["run", "--config", config, "--follow", "--poll-interval", "0.1"])
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        func samples() -> [String: String] {
            guard let stderr = try? String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8),
                let range = stderr.range(
                    of: #"metrics: http://127\.0\.0\.1:(\d+)/metrics"#, options: .regularExpression),
                let port = UInt16(stderr[range].split(separator: ":").last!.split(separator: "/").first!),
                let answer = try? httpGet("/metrics", port: port)
            else { return [:] }
            return Dictionary(
                answer.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains(" ") }.map {
                    (String($0.split(separator: " ")[0]), String($0.split(separator: " ")[1]))
                }, uniquingKeysWith: { a, _ in a })
        }
        func waitFor(_ key: String, _ value: String) {
            let deadline = Date().addingTimeInterval(20)
            while samples()[key] != value && Date() < deadline { usleep(50_000) }
        }
        waitFor("siem_export_events_delivered_total{pipeline=\"sentinel\"}", "300")
        var now = samples()
        #expect(now["siem_export_rows_read_total"] == "300")
        #expect(now["siem_export_checkpoint_id{pipeline=\"elastic\"}"] == "300")
        #expect(now["siem_export_checkpoint_lag_rows{pipeline=\"splunk\"}"] == "0")
        #expect(now["siem_export_checkpoint_lag_seconds{pipeline=\"splunk\"}"] == "0")
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: "INSERT INTO events (token_id, kind, timestamp) VALUES ('late', 'dns', 1800000000)")
        }
        waitFor("siem_export_events_delivered_total{pipeline=\"sentinel\"}", "301")
        now = samples()
        #expect(now["siem_export_checkpoint_id{pipeline=\"sentinel\"}"] == "301")
        #expect(Int(now["siem_export_batch_duration_seconds_count{pipeline=\"elastic\"}"] ?? "") ?? 0 >= 2)

        // Started again, caught up: the checkpoint comes from the state file, no lag.
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let again = try cli.start(["run", "--config", config, "--follow", "--poll-interval", "0.1"])
        defer {
            kill(again.processIdentifier, SIGTERM)
            again.waitUntilExit()
        }
        waitFor("siem_export_checkpoint_id{pipeline=\"splunk\"}", "301")
        now = samples()
        #expect(now["siem_export_checkpoint_id{pipeline=\"splunk\"}"] == "301")
        #expect(now["siem_export_checkpoint_lag_rows{pipeline=\"splunk\"}"] == "0")
        #expect(now["siem_export_events_delivered_total{pipeline=\"splunk\"}"] == "0")
    }

    @Test func validateChecksEverythingButWritesNothing() throws {
        let config = try writeConfig(outDir: "never")
        let ok = try cli.run(["validate", "--config", config])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("OK: 3 pipeline(s)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.path("never")).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cli.path("state.sqlite")))

        let broken = RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/configs/unknown-keys.yaml").path
        let refused = try cli.run(["validate", "--config", broken])
        #expect(refused.status == 78)
        #expect(refused.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix(broken + ":") })
    }

    @Test func failuresAreOneLineWithAnExitCodeAndNoOutput() throws {
        let missing = try cli.run(["export", "--db", cli.path("nope.sqlite"), "--format", "ecs", "--registry-id", "r"])
        #expect(missing.status == 66)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr == "error: database file not found (\(cli.path("nope.sqlite")))\n")

        let unwritable = try cli.run([
            "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", "/nonexistent/x.jsonl",
        ])
        #expect(unwritable.status == 73)
        #expect(unwritable.stderr.hasPrefix("error: cannot open for writing"))

        let unknown = try cli.run(["export", "--db", db, "--format", "wazuh", "--registry-id", "r"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown --format 'wazuh'"))

        // A run whose database vanished advances no checkpoint and writes no line.
        let config = try writeConfig()
        try FileManager.default.moveItem(atPath: db, toPath: db + ".moved")
        let noDB = try cli.run(["run", "--config", config])
        // At the key that names it, and still 66: a registry not created yet may appear by itself.
        #expect(noDB.status == 66)
        #expect(noDB.stderr.hasPrefix(config + ":"), "\(noDB.stderr)")
        #expect(noDB.stderr.contains(": error: source.path: database file not found"), "\(noDB.stderr)")
        #expect(noDB.stderr.split(separator: "\n").count == 1, "\(noDB.stderr)")
        #expect((try? String(contentsOfFile: cli.path("out/ecs.jsonl"), encoding: .utf8))?.isEmpty ?? true)
        #expect(!FileManager.default.fileExists(atPath: cli.path("state.sqlite")))
    }

    @Test func aFileThatCannotGrowNeverGetsAHalfLine() throws {
        let out = cli.path("limited.jsonl")
        // bash's `ulimit -f` counts 1024-byte blocks: 64 KiB holds about 60 ECS lines of the demo.
        let result = try cli.run(
            ["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", out, "--batch-size", "25"],
            shellPrefix: "ulimit -f 64;")
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("write failed"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let written = lines(text)
        #expect(written.count == text.split(separator: "\n").count, "every line is a whole JSON document")
        #expect(written.count > 0 && written.count % 25 == 0, "whole batches only: \(written.count)")
    }

    @Test func exportPostsToAnHTTPReceiverWithHeadersFromTheEnvironment() throws {
        let server = try LoopbackHTTPServer { _ in .json(200, "{}") }
        defer { server.stop() }
        let result = try cli.run(
            [
                "export", "--db", db, "--format", "sentinel", "--registry-id", "r", "--output",
                server.baseURL + "/logs",
                "--header", "Authorization: Bearer ${env:SIEM_TEST_TOKEN}", "--header", "X-Tenant: blue",
                "--batch-size", "100",
            ], environment: ["SIEM_TEST_TOKEN": "tok-7f3a9c"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("exported 300 event(s) as sentinel in "))
        let requests = server.requests
        #expect(requests.count == 3)
        #expect(
            requests.allSatisfy { $0.header("Authorization") == "Bearer tok-7f3a9c" && $0.header("X-Tenant") == "blue" }
        )
        let rows = try requests.flatMap {
            try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [[String: Any]])
        }
        #expect(Set(rows.compactMap { $0["EventId"] as? String }) == Set((1...300).map { "\($0)" }))
    }

    /// A failed request is reported with its status, and the credential appears in no output.
    @Test func aRefusedExportNamesTheStatusAndNeverPrintsTheToken() throws {
        let server = try LoopbackHTTPServer { request in
            .json(403, "forbidden for \(request.header("Authorization") ?? "")")
        }
        defer { server.stop() }
        let result = try cli.run(
            [
                "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", server.baseURL + "/in",
                "--header", "Authorization: Splunk ${env:SIEM_TEST_TOKEN}",
            ], environment: ["SIEM_TEST_TOKEN": "tok-7f3a9c"])
        #expect(result.status == 69)
        #expect(
            result.stderr.hasPrefix("error: HTTP 403 from \(server.baseURL)/in: forbidden for [redacted] (sink export)")
        )
        #expect(!(result.stdout + result.stderr).contains("tok-7f3a9c"))
    }

    @Test func pluginsListsEveryRegisteredPluginWithSchemaAndOptions() throws {
        let listing = try cli.run(["plugins"]).stdout
        let registry = BuiltInPlugins.registry
        for formatter in registry.formatters.values.map(\.description) {
            #expect(listing.contains("\(formatter.id)  schema \(formatter.schema?.name ?? "?")"))
            for option in formatter.options { #expect(listing.contains(option.key)) }
        }
        for id in registry.sinks.keys { #expect(listing.contains("  \(id)  takes ")) }
        #expect(listing.contains("busy_timeout_ms") && listing.contains("(default: 5000)"))
    }

    @Test func demoRegistryIsDeterministicAndRefusesToOverwrite() throws {
        let other = cli.path("again.sqlite")
        try cli.run(["demo-registry", other, "--rows", "300"])
        let a = try cli.run(["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--order", "id"]).stdout
        let b = try cli.run(["export", "--db", other, "--format", "ecs", "--registry-id", "r", "--order", "id"]).stdout
        #expect(a == b)
        let kinds = Set(lines(a).compactMap { ($0["labels"] as? [String: String])?["oversight_beacon_kind"] })
        #expect(kinds == ["dns", "http_img", "ocsp", "license"])
        #expect(a.contains(#""ip":"2001:db8:"#) && a.contains(#""ip":"198.51.100."#))
        let refused = try cli.run(["demo-registry", other, "--rows", "3"])
        #expect(refused.status == 73)
        #expect(try cli.run(["demo-registry", other, "--rows", "3", "--force"]).status == 0)
    }
}
