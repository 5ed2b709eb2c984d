import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// The built binary with a `jsonl` source: standard input read once per run, and an application's
/// JSON-lines audit log followed across rotation into ECS.
@Suite(.serialized) struct JSONLinesCLITests {
    /// The ECS records of `path`, as objects.
    static func records(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func eventIDs(_ records: [[String: Any]]) -> [Int] {
        records.compactMap { (($0["event"] as? [String: Any])?["id"] as? String).flatMap { Int($0) } }
    }

    @Test func standardInputIsReadToItsEndOnceAndIdsGoOnAcrossRuns() throws {
        let cli = try CLIHarness()
        try """
        version: 1
        source: {type: jsonl, path: "-"}
        mapper: {type: oversight_beacon, registry_id: reg-1}
        checkpoint: {path: state.sqlite}
        pipelines:
          - {name: elastic, formatter: {type: ecs}, sink: {type: file, path: ecs.jsonl}}
        """.write(toFile: cli.path("stdin.yaml"), atomically: false, encoding: .utf8)
        let first =
            #"{"kind":"dns","timestamp":1700000000,"token_id":"t1"}"# + "\nnot json\n"
            + #"{"kind":"http","timestamp":1700000001}"#  // the stream's end ends its last line
        try first.write(toFile: cli.path("first.jsonl"), atomically: false, encoding: .utf8)
        let one = try cli.run(["run", "--config", "stdin.yaml"], shellPrefix: "exec < first.jsonl;")
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stderr.contains("exported 2 event(s)"))
        #expect(one.stderr.contains("1 row(s) dead-lettered"))
        let dead = try String(contentsOfFile: cli.path("state.sqlite.dead-letter.jsonl"), encoding: .utf8)
        #expect(dead.contains(#""location":"standard input, bytes 54..63","raw":"not json""#))
        let firstIDs = Self.eventIDs(try Self.records(cli.path("ecs.jsonl")))
        #expect(firstIDs == [54, first.utf8.count])

        try (#"{"kind":"dns","timestamp":1700000009}"# + "\n").write(
            toFile: cli.path("second.jsonl"), atomically: false, encoding: .utf8)
        let two = try cli.run(["run", "--config", "stdin.yaml"], shellPrefix: "exec < second.jsonl;")
        #expect(two.status == 0, "\(two.stderr)")
        let ids = Self.eventIDs(try Self.records(cli.path("ecs.jsonl")))
        #expect(ids == firstIDs + [first.utf8.count + 38], "a new stream: read whole, its ids after the last one's")
    }

    /// The issue's audit log, written as JSON lines: mapped by JSON path with the `table` mapper
    /// into ECS; a line that is not JSON and a line whose time cannot be read are dead-lettered;
    /// after a rotation the next run exports only what is new.
    @Test(.enabled(if: ECSFormatter.categories.contains(.audit), "ECS renders audit events"))
    func anAuditLogInJSONLinesIsExportedToECSAcrossRotation() throws {
        let cli = try CLIHarness()
        let config = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("config/audit-jsonl.yaml"), encoding: .utf8
        ).replacingOccurrences(of: "../demo/out/", with: "").replacingOccurrences(of: "../demo/", with: "")
        try config.write(toFile: cli.path("audit.yaml"), atomically: false, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/jsonl/audit.jsonl").path,
            toPath: cli.path("audit.jsonl"))
        let validated = try cli.run(["validate", "--config", "audit.yaml"])
        #expect(validated.status == 0, "\(validated.stderr)")
        let first = try cli.run(["run", "--config", "audit.yaml"])
        #expect(first.status == 0, "\(first.stderr)")
        let records = try Self.records(cli.path("audit-jsonl-ecs.jsonl"))
        #expect(records.count == 4)
        #expect(records.map { ($0["user"] as? [String: Any])?["name"] as? String } == ["ada", "bob", "ada", nil])
        #expect(
            records.map { ($0["event"] as? [String: Any])?["outcome"] as? String }
                == ["success", "failure", "success", "success"])
        #expect(((records[1]["source"] as? [String: Any])?["ip"] as? String) == "2001:db8::42")
        #expect(
            !String(
                decoding: try Data(contentsOf: URL(fileURLWithPath: cli.path("audit-jsonl-ecs.jsonl"))), as: UTF8.self
            ).contains("hunter2"))
        let dead = try String(contentsOfFile: cli.path("audit-jsonl-state.sqlite.dead-letter.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(dead.count == 2)
        #expect(dead[0].contains("not a JSON object") && dead[1].contains("yesterday"))

        try FileManager.default.moveItem(atPath: cli.path("audit.jsonl"), toPath: cli.path("audit.jsonl.1"))
        // Rotated an hour after its last line: past rotate_wait, so the next run finishes it.
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-3_600)], ofItemAtPath: cli.path("audit.jsonl.1"))
        try (#"{"ts":"2024-05-01T11:00:00Z","event":"auth.logout","user":{"name":"ada"},"result":"ok"}"# + "\n")
            .write(toFile: cli.path("audit.jsonl"), atomically: false, encoding: .utf8)
        let second = try cli.run(["run", "--config", "audit.yaml"])
        #expect(second.status == 0, "\(second.stderr)")
        let all = try Self.records(cli.path("audit-jsonl-ecs.jsonl"))
        #expect(all.count == 5)
        let ids = Self.eventIDs(all)
        #expect(ids == ids.sorted() && Set(ids).count == 5)
    }

    func waitFor(_ condition: () -> Bool, seconds: Double = 30) {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { usleep(20_000) }
    }

    /// `run --follow`: a line the writer has only half written is exported whole once it is
    /// complete, and a rename rotation is followed into the new file.
    @Test func followModeExportsATornLineOnceWholeAndFollowsARotation() throws {
        let cli = try CLIHarness()
        try """
        version: 1
        source: {type: jsonl, path: app.jsonl, rotate_wait_ms: 0}
        mapper: {type: oversight_beacon, registry_id: reg-1}
        checkpoint: {path: state.sqlite}
        pipelines:
          - {name: elastic, formatter: {type: ecs}, sink: {type: file, path: ecs.jsonl}}
        """.write(toFile: cli.path("follow.yaml"), atomically: false, encoding: .utf8)
        func line(_ kind: String, _ time: Int) -> String { #"{"kind":"\#(kind)","timestamp":\#(time)}"# + "\n" }
        let third = line("third", 3)
        try (line("first", 1) + line("second", 2) + third.prefix(10)).write(
            toFile: cli.path("app.jsonl"), atomically: false, encoding: .utf8)
        let append = { (text: String, name: String) in
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.path(name)))
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try handle.close()
        }
        func kinds() -> [String] {
            ((try? Self.records(cli.path("ecs.jsonl"))) ?? []).compactMap {
                ($0["oversight"] as? [String: Any])?["beacon_kind"] as? String
            }
        }
        let process = try cli.start(["run", "--config", "follow.yaml", "--follow", "--poll-interval", "0.05"])
        waitFor { kinds().count >= 2 }
        #expect(kinds() == ["first", "second"])
        try append(String(third.dropFirst(10)), "app.jsonl")
        waitFor { kinds().count >= 3 }
        try FileManager.default.moveItem(atPath: cli.path("app.jsonl"), toPath: cli.path("app.jsonl.1"))
        try line("fourth", 4).write(toFile: cli.path("app.jsonl"), atomically: false, encoding: .utf8)
        waitFor { kinds().count >= 4 }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(kinds() == ["first", "second", "third", "fourth"])
        let ids = Self.eventIDs(try Self.records(cli.path("ecs.jsonl")))
        #expect(ids == ids.sorted() && Set(ids).count == 4)
    }
}
