import Foundation
import GRDB
import SIEMTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The registry database misbehaving under a real `run`: each case fails with one clear line
/// naming the file, a non-zero exit, whole output lines only, and no checkpoint past what was
/// delivered.
@Suite(.serialized) struct DatabaseFaultTests {
    let cli: CLIHarness
    let db: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "3000"])
    }

    func writeConfig(busyTimeoutMS: Int = 5_000) throws -> String {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: \(db), busy_timeout_ms: \(busyTimeoutMS)}
            mapper: {type: oversight_beacon, registry_id: reg}
            checkpoint: {path: \(cli.path("state.sqlite"))}
            batch_size: 100
            pipelines:
              - {name: p, formatter: {type: ecs}, sink: {type: file, path: \(cli.path("out.jsonl"))}}
            """
        try yaml.write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
        return cli.path("siem.yaml")
    }

    /// The output's lines. `whole` checks it ends a line; polling a file that a running process
    /// is writing must not, since it can catch a batch half written (whole again a moment later).
    func outputLines(whole: Bool = true) throws -> [String] {
        guard FileManager.default.fileExists(atPath: cli.path("out.jsonl")) else { return [] }
        let text = try String(contentsOfFile: cli.path("out.jsonl"), encoding: .utf8)
        if whole { #expect(text.isEmpty || text.hasSuffix("\n"), "no half line") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // after the last newline: empty, or a line still being written
        return lines
    }

    func oneErrorLine(_ stderr: String) -> String {
        // `error: …`, or `siem.yaml:L:C: error: source.path: …` for what is found at start.
        let errors = stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.contains(": error: ") }
        #expect(errors.count == 1, "\(stderr)")
        return String(errors.first ?? "")
    }

    @Test func aTruncatedDatabaseFailsNamingItAfterDeliveringWhatItCouldRead() throws {
        try DatabaseQueue(path: db).writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let size = try FileManager.default.attributesOfItem(atPath: db)[.size] as! Int
        #expect(truncate(db, off_t(size / 2)) == 0)
        let run = try cli.run(["run", "--config", try writeConfig()])
        #expect(run.status == 66, "\(run.stderr)")
        let line = oneErrorLine(run.stderr)
        #expect(line.contains(db))
        #expect(line.contains("malformed") || line.contains("disk image"), "\(line)")
        let delivered = try outputLines()
        #expect(delivered.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }

    @Test func aWriterHoldingTheDatabaseMakesRunTryAgainLater() throws {
        var unsafe = Configuration()
        unsafe.allowsUnsafeTransactions = true  // the point: a transaction left open across calls
        let writer = try DatabaseQueue(path: db, configuration: unsafe)
        try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
        let config = try writeConfig(busyTimeoutMS: 200)
        // A writer in the middle of a long exclusive transaction (rollback journal: readers wait).
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "INSERT INTO events (token_id, kind, timestamp) VALUES ('x', 'dns', 1)")
        }
        let locked = try cli.run(["run", "--config", config])
        #expect(locked.status == 75, "\(locked.stderr)")
        let line = oneErrorLine(locked.stderr)
        #expect(line.contains("database is locked") && line.contains("try again later") && line.contains(db))
        #expect(try outputLines().isEmpty)
        try writer.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
        // Following, a lock taken between polls is ridden out: back off, deliver once it is gone.
        let follower = try cli.start(["run", "--config", config, "--follow", "--poll-interval", "0.1"])
        let deadline = Date().addingTimeInterval(20)
        while (try? outputLines(whole: false).count) != 3_001 && Date() < deadline { usleep(50_000) }
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            try db.execute(sql: "INSERT INTO events (token_id, kind, timestamp) VALUES ('y', 'dns', 2)")
        }
        usleep(1_500_000)
        try writer.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
        while (try? outputLines(whole: false).count) != 3_002 && Date() < deadline { usleep(50_000) }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        let stderr = try String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)
        #expect(follower.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("database is locked") && stderr.contains("retrying in 1 s"))
        #expect(try outputLines().count == 3_002)
    }

    @Test func aDatabaseReplacedWhileFollowingStopsTheRunNamingIt() throws {
        let config = try writeConfig()
        let process = try cli.start(["run", "--config", config, "--follow", "--poll-interval", "0.1"])
        let deadline = Date().addingTimeInterval(20)
        while (try? outputLines(whole: false).count) != 3_000 && Date() < deadline { usleep(50_000) }
        #expect(try outputLines().count == 3_000)
        let replacement = cli.path("other.sqlite")
        try cli.run(["demo-registry", replacement, "--rows", "10"])
        #expect(rename(replacement, db) == 0)
        process.waitUntilExit()
        let stderr = try String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)
        #expect(process.terminationStatus == 66, "\(stderr)")
        #expect(oneErrorLine(stderr).contains("replaced while running"))
        #expect(try outputLines().count == 3_000)

        // Started again on the smaller file, the checkpoint is past its end: refused, not skipped.
        let again = try cli.run(["run", "--config", config])
        #expect(again.status == 74, "\(again.stderr)")
        #expect(oneErrorLine(again.stderr).contains("checkpointed at id 3000 but the source ends at id 10"))
    }

    @Test func aDirectoryOrAnUnreadableFileIsNamedAtStart() throws {
        let config = try writeConfig()
        try FileManager.default.removeItem(atPath: db)
        try FileManager.default.createDirectory(atPath: db, withIntermediateDirectories: false)
        let directory = try cli.run(["run", "--config", config])
        #expect(directory.status == 66)
        #expect(oneErrorLine(directory.stderr).contains("is a directory"))
        try FileManager.default.removeItem(atPath: db)
        try cli.run(["demo-registry", db, "--rows", "10"])
        // Root reads every file whatever its mode, so the permission case needs another user.
        if getuid() != 0 {
            #expect(chmod(db, 0) == 0)
            let unreadable = try cli.run(["run", "--config", config])
            #expect(unreadable.status == 66)
            #expect(oneErrorLine(unreadable.stderr).contains("not readable"))
        }
    }
}
