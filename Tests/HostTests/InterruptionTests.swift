import Foundation
import GRDB
import SIEMTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `run` interrupted at any moment loses nothing: SIGTERM finishes the batch in flight and exits 0;
/// SIGKILL leaves at most that batch to be sent again, which Elasticsearch's stable `_id` turns
/// into no duplicate at all. More kill iterations: SIEM_KILL_ITERATIONS=50.
@Suite(.serialized) struct InterruptionTests {
    let cli: CLIHarness
    let db: String
    static let rows = 400

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "\(Self.rows)"])
    }

    func writeConfig(sink: String, formatter: String = "ecs") throws -> String {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: \(db)}
            mapper: {type: oversight_beacon, registry_id: reg1}
            checkpoint: {path: \(cli.path("state.sqlite"))}
            batch_size: 10
            pipelines:
              - name: p
                formatter: {type: \(formatter)}
                sink: \(sink)
            """
        try yaml.write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
        return cli.path("siem.yaml")
    }

    func waitFor(_ condition: () -> Bool, seconds: Double = 20) {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { usleep(20_000) }
    }

    @Test func sigtermFinishesTheBatchInFlightSavesTheCheckpointAndExitsZero() throws {
        let hec = try FakeSplunkHEC { _ in nil }
        defer { hec.stop() }
        // Each answer takes 100 ms, so the run is mid-way when the signal comes.
        let slow = try LoopbackHTTPServer { request in
            .delay(seconds: 0.1, then: hec.forward(request))
        }
        defer { slow.stop() }
        let config = try writeConfig(
            sink: "{type: splunk_hec, url: \"\(slow.baseURL)\", token: \"${env:HEC_TOKEN}\", health_check: false}",
            formatter: "splunk_hec")
        let process = try cli.start(["run", "--config", config], environment: ["HEC_TOKEN": hec.token])
        waitFor { hec.indexedIDs.count >= 30 }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stderr = try String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("stopped by signal"))
        let delivered = hec.indexedIDs
        #expect(delivered.count < Self.rows && delivered.count % 10 == 0, "whole batches: \(delivered.count)")
        #expect(stderr.contains("(checkpoint id \(delivered.count))"))

        #expect(try cli.run(["run", "--config", config], environment: ["HEC_TOKEN": hec.token]).status == 0)
        #expect(hec.indexedIDs.count == Self.rows, "nothing lost, nothing sent twice")
        #expect(Set(hec.indexedIDs).count == Self.rows)
    }

    /// `run --follow` delivers new rows as they arrive, rides out a receiver outage from its
    /// checkpoint, and stops cleanly on SIGTERM.
    @Test func followModeDeliversNewRowsAndRidesOutAnOutage() throws {
        let hec = try FakeSplunkHEC { post in
            post < 3 ? .json(503, #"{"text":"Server is busy","code":9}"#) : nil
        }
        defer { hec.stop() }
        let config = try writeConfig(
            sink: "{type: splunk_hec, url: \"\(hec.url)\", token: \"${env:HEC_TOKEN}\", max_retries: 0}",
            formatter: "splunk_hec")
        let process = try cli.start(
            ["run", "--config", config, "--follow", "--poll-interval", "0.1"], environment: ["HEC_TOKEN": hec.token])
        waitFor { Set(hec.indexedIDs).count == Self.rows }
        #expect(Set(hec.indexedIDs) == Set(1...Self.rows))
        try DatabaseQueue(path: db).write { db in
            for i in 0..<5 {
                try db.execute(
                    sql: "INSERT INTO events (token_id, kind, timestamp) VALUES (?, 'dns', ?)",
                    arguments: ["late\(i)", 1_800_000_000 + i])
            }
        }
        waitFor { Set(hec.indexedIDs).count == Self.rows + 5 }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stderr = try String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("HEC code 9: Server is busy; gave up after 0 retries"))
        #expect(stderr.contains("retrying in 1 s"))
        #expect(stderr.contains("stopped by signal"))
        #expect(Set(hec.indexedIDs) == Set(1...(Self.rows + 5)))
        #expect(stderr.contains("(checkpoint id \(Self.rows + 5))"))
    }

    @Test func aSecondRunOnTheSameCheckpointsRefusesNamingTheFirst() throws {
        let hec = try FakeSplunkHEC { _ in nil }
        defer { hec.stop() }
        let slow = try LoopbackHTTPServer { request in .delay(seconds: 0.05, then: hec.forward(request)) }
        defer { slow.stop() }
        let config = try writeConfig(
            sink: "{type: splunk_hec, url: \"\(slow.baseURL)\", token: \"${env:HEC_TOKEN}\", health_check: false}",
            formatter: "splunk_hec")
        let first = try cli.start(["run", "--config", config], environment: ["HEC_TOKEN": hec.token])
        waitFor { hec.indexedIDs.count >= 10 }
        let second = try cli.run(["run", "--config", config], environment: ["HEC_TOKEN": hec.token])
        #expect(second.status == 75)
        #expect(
            second.stderr.contains(
                "another siem-export run (pid \(first.processIdentifier)) is using this checkpoint file"))
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(Set(hec.indexedIDs) == Set(1...Self.rows) && hec.indexedIDs.count == Self.rows, "nothing sent twice")
        #expect(try cli.run(["run", "--config", config], environment: ["HEC_TOKEN": hec.token]).status == 0)
    }

    @Test func sigkillAtRandomMomentsLosesNothingAndDuplicatesNothingInElasticsearch() throws {
        let es = try FakeElasticsearch(authorization: "ApiKey a2V5")
        defer { es.stop() }
        let slow = try LoopbackHTTPServer { request in .delay(seconds: 0.02, then: es.forward(request)) }
        defer { slow.stop() }
        let config = try writeConfig(
            sink: "{type: elasticsearch, url: \"\(slow.baseURL)\", api_key: \"${env:ES_KEY}\"}")
        let iterations = Int(ProcessInfo.processInfo.environment["SIEM_KILL_ITERATIONS"] ?? "") ?? 4
        for _ in 0..<iterations {
            let process = try cli.start(["run", "--config", config], environment: ["ES_KEY": "a2V5"])
            usleep(useconds_t.random(in: 50_000...600_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let finish = try cli.run(["run", "--config", config], environment: ["ES_KEY": "a2V5"])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(Set(es.ids) == Set((1...Self.rows).map { "reg1:\($0)" }), "every event delivered")
        #expect(es.ids.count == Self.rows, "no duplicate document")
    }

    @Test func sigkillDuringFileExportLeavesOnlyWholeLinesAndResendsAtMostTwoBatches() throws {
        let out = cli.path("out.jsonl")
        let config = try writeConfig(sink: "{type: file, path: \(out)}")
        var kills = 0
        let iterations = Int(ProcessInfo.processInfo.environment["SIEM_KILL_ITERATIONS"] ?? "") ?? 3
        for _ in 0..<iterations {
            let process = try cli.start(["run", "--config", config])
            usleep(useconds_t.random(in: 10_000...150_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
        }
        #expect(try cli.run(["run", "--config", config]).status == 0)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(text.hasSuffix("\n"))
        let ids = lines.compactMap { line -> Int? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let event = object["event"] as? [String: Any], let id = event["id"] as? String
            else { return nil }
            return Int(id)
        }
        #expect(ids.count == lines.count, "every line is a whole document")
        #expect(Set(ids) == Set(1...Self.rows))
        // The batch being written, and the one whose checkpoint was being made durable.
        #expect(ids.count - Self.rows <= kills * 2 * 10, "at most two batches re-sent per kill")
    }
}

extension InterruptionTests {
    /// `preset: elastic` fills in formatter, sink type and limits; the config adds only where and
    /// how to authenticate.
    @Test func aPresetPipelineDeliversWithOnlyURLAndCredentialsWritten() throws {
        let es = try FakeElasticsearch(authorization: "ApiKey a2V5")
        defer { es.stop() }
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: \(db)}
            mapper: {type: oversight_beacon, registry_id: reg1}
            checkpoint: {path: \(cli.path("state.sqlite"))}
            pipelines:
              - name: elastic
                preset: elastic
                sink: {url: "\(es.url)", api_key: "${env:ES_KEY}"}
            """
        try yaml.write(toFile: cli.path("preset.yaml"), atomically: false, encoding: .utf8)
        let run = try cli.run(["run", "--config", cli.path("preset.yaml")], environment: ["ES_KEY": "a2V5"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(es.ids) == Set((1...Self.rows).map { "reg1:\($0)" }))
        #expect(es.server.requests.last?.header("Content-Encoding") == "gzip", "the preset's compression")
        #expect(run.stderr.contains("as ecs to"))
    }
}

/// A kill between two `write(2)` calls of one batch (the process stopped there by a failpoint,
/// then SIGKILLed: a real kill, not a simulated error) leaves half a record; the next run cuts it
/// off before it writes, so the file holds whole lines only and every event exactly as often as
/// at-least-once allows.
extension InterruptionTests {
    /// Waits until `pid` is stopped (state T in /proc/PID/stat).
    func waitUntilStopped(_ pid: Int32) -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "T"
            {
                return true
            }
            usleep(10_000)
        }
        return false
    }

    func killMidWrite(_ config: String, file suffix: String) throws {
        let process = try cli.start(
            ["run", "--config", config], environment: ["SIEM_EXPORT_FAILPOINT": "stop-mid-write:" + suffix])
        #expect(waitUntilStopped(process.processIdentifier), "the failpoint stopped the run")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func aKillBetweenTwoWritesOfABatchLeavesNoHalfLineForTheNextRun() throws {
        let out = cli.path("torn.jsonl")
        let config = try writeConfig(sink: "{type: file, path: \(out)}")
        try killMidWrite(config, file: "torn.jsonl")
        let torn = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(!torn.isEmpty && torn.last != 0x0A, "the kill left half a record")
        let resumed = try cli.run(["run", "--config", config])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("torn last line off \(out)"), "the cut is logged: \(resumed.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n")
        let ids = try lines.map { line -> Int in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return Int(try #require((object["event"] as? [String: Any])?["id"] as? String))!
        }
        #expect(Set(ids) == Set(1...Self.rows), "whole lines, every event")
        // Only the torn batch (10 rows) is sent again: the whole records written before the kill.
        #expect(ids.count - Self.rows < 10 && Array(ids.suffix(Self.rows)) == Array(1...Self.rows))
    }

    @Test func aKillMidWriteOfTheDeadLetterFileLeavesNoHalfLineEither() throws {
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE events SET kind = '' WHERE id IN (5, 6)") }
        let config = try writeConfig(sink: "{type: file, path: \(cli.path("out.jsonl"))}")
        let deadLetter = cli.path("state.sqlite.dead-letter.jsonl")
        try killMidWrite(config, file: "dead-letter.jsonl")
        let torn = try Data(contentsOf: URL(fileURLWithPath: deadLetter))
        #expect(!torn.isEmpty && torn.last != 0x0A)
        #expect(try cli.run(["run", "--config", config]).status == 0)
        let lines = try String(contentsOfFile: deadLetter, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "ends with a newline")
        let ids = try lines.dropLast().map { line -> Int in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["source_row_id"]
                as! Int
        }
        #expect(Set(ids) == [5, 6] && ids.count <= 3, "whole lines; only what the torn write held is written again")
    }
}
