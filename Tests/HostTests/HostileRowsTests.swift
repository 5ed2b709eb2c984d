import Foundation
import GRDB
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// Issue 5's hostile rows, in a real registry file, through the real CLI and all three
/// formatters: each row is exported with its values kept (output parsed by Foundation's strict
/// parser) or, where it truly cannot become an event, dead-lettered with its id and reason.
@Suite(.serialized) struct HostileRowsTests {
    let cli: CLIHarness
    let db: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("hostile.sqlite")
        // An older schema: no NOT NULL constraints, so NULLs where the current schema forbids them.
        try DatabaseQueue(path: db).write { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (id INTEGER PRIMARY KEY, token_id TEXT, file_id TEXT, recipient_id TEXT,
                        issuer_id TEXT, kind TEXT, source_ip TEXT, user_agent TEXT, extra TEXT, timestamp,
                        qualified_timestamp TEXT, tlog_index)
                    """)
        }
    }

    /// Inserts one row: `columns` is SQL for each named column, the rest NULL.
    func insert(_ id: Int, _ columns: [String: String], _ arguments: StatementArguments = []) throws {
        var all = ["kind": "'dns'", "timestamp": "1767225600", "token_id": "'tok'"]
        all.merge(columns) { _, new in new }
        let names = all.keys.sorted()
        try DatabaseQueue(path: db).write { db in
            try db.execute(
                sql:
                    "INSERT INTO events (id, \(names.joined(separator: ", "))) VALUES (\(id), \(names.map { all[$0]! }.joined(separator: ", ")))",
                arguments: arguments)
        }
    }

    func writeConfig() throws -> String {
        let config = """
            version: 1
            source: {type: oversight_registry, path: \(db)}
            mapper: {type: oversight_beacon, registry_id: reg}
            checkpoint: {path: \(cli.path("state.sqlite"))}
            batch_size: 4
            pipelines:
              - {name: splunk, formatter: {type: splunk_hec}, sink: {type: file, path: \(cli.path("splunk.jsonl"))}}
              - {name: ecs, formatter: {type: ecs}, sink: {type: file, path: \(cli.path("ecs.jsonl"))}}
              - {name: sentinel, formatter: {type: sentinel}, sink: {type: file, path: \(cli.path("sentinel.jsonl"))}}
            """
        try config.write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
        return cli.path("siem.yaml")
    }

    func parsedLines(_ file: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: cli.path(file)))
        #expect(data.last == 0x0A)
        return try data.split(separator: 0x0A).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }

    @Test func everyHostileRowIsExportedFaithfullyOrDeadLetteredWithItsReason() throws {
        let deep = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        try insert(1, ["token_id": "CAST(X'41FF42' AS TEXT)"])  // invalid UTF-8
        try insert(2, ["user_agent": "'a' || char(0) || 'b'"])  // NUL
        try insert(3, ["user_agent": "hex(zeroblob(524288))"])  // 1 MiB
        try insert(4, ["extra": #"'{"k":"' || hex(zeroblob(5242880)) || '"}'"#])  // 10 MiB
        try insert(5, ["extra": "?"], [deep])  // 10,000 deep
        try insert(6, ["extra": #"'{"a":1,"b":2,"a":3}'"#])  // repeated key
        try insert(7, ["extra": #"'{"n":123456789012345678901234567890,"f":1e400}'"#])  // beyond 64 bits
        try insert(8, ["timestamp": "'1767225600'"])  // TEXT
        try insert(9, ["timestamp": "1767225600.9"])  // REAL
        try insert(10, ["timestamp": "-86400"])  // before 1970
        try insert(11, ["timestamp": "253402300799"])  // 9999-12-31T23:59:59Z
        try insert(1_000, ["tlog_index": "'12'"])  // a gap in the ids; a number as text
        // Rows that cannot become events:
        try insert(1_001, ["timestamp": "'NaN'"])
        try insert(1_002, ["timestamp": "'Infinity'"])
        try insert(1_003, ["timestamp": "253402300800"])  // year 10000
        try insert(1_004, ["timestamp": "NULL"])
        try insert(1_005, ["kind": "NULL"])
        try insert(5_000, ["tlog_index": "'99999999999999999999'"])  // beyond 64 bits, in an integer column

        let run = try cli.run(["run", "--config", try writeConfig()])
        #expect(run.status == 0, "\(run.stderr)")
        let exported: [Int: Int64] = [
            1: 1_767_225_600, 2: 1_767_225_600, 3: 1_767_225_600, 4: 1_767_225_600, 5: 1_767_225_600,
            6: 1_767_225_600, 7: 1_767_225_600, 8: 1_767_225_600, 9: 1_767_225_600, 10: -86_400,
            11: 253_402_300_799, 1_000: 1_767_225_600,
        ]
        let ecs = try parsedLines("ecs.jsonl")
        let ids = ecs.map { Int((($0["event"] as? [String: Any])?["id"] as? String) ?? "") ?? -1 }
        #expect(ids == exported.keys.sorted())
        for (record, id) in zip(ecs, ids) {
            #expect(record["@timestamp"] as? String == RFC3339.string(fromUnixSeconds: exported[id]!))
        }
        let sentinel = try parsedLines("sentinel.jsonl")
        #expect(sentinel.map { $0["EventId"] as? String } == exported.keys.sorted().map { "\($0)" })
        let splunk = try parsedLines("splunk.jsonl")
        #expect(splunk.map { $0["time"] as? Int64 } == exported.keys.sorted().map { exported[$0]! })

        let byID = Dictionary(uniqueKeysWithValues: zip(ids, ecs))
        func oversight(_ id: Int) -> [String: Any] { byID[id]?["oversight"] as? [String: Any] ?? [:] }
        #expect(oversight(1)["token_id"] as? String == "A\u{FFFD}B")
        #expect((byID[2]?["user_agent"] as? [String: String])?["original"] == "a\u{0}b")
        #expect((byID[3]?["user_agent"] as? [String: String])?["original"]?.utf8.count == 1_048_576)
        #expect(((oversight(4)["extra"] as? [String: String])?["k"])?.utf8.count == 10_485_760)
        #expect((oversight(5)["extra"] as? [String: String])?["raw"] == deep, "too deep to be an object: kept as text")
        #expect((oversight(6)["extra"] as? [String: Int]) == ["a": 3, "b": 2])
        let big = try #require(oversight(7)["extra"] as? [String: Any])
        #expect("\(big["n"]!)".hasPrefix("12345678901234567890"))
        #expect(oversight(1_000)["tlog_index"] as? Int == 12)

        let dead = try parsedLines("state.sqlite.dead-letter.jsonl")
        #expect(dead.map { $0["source_row_id"] as? Int } == [1_001, 1_002, 1_003, 1_004, 1_005, 5_000])
        #expect(dead.allSatisfy { ($0["reason"] as? String)?.isEmpty == false && $0["row"] is [String: Any] })
        #expect(run.stderr.contains("6 row(s) dead-lettered"))
    }

    @Test func anEmptyTableIsARunThatDeliversNothing() throws {
        let run = try cli.run(["run", "--config", try writeConfig()])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("pipeline ecs: exported 0 event(s)"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("state.sqlite.dead-letter.jsonl")))
    }
}
