import Foundation
import GRDB
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The benchmark's C programs (bench/c-baseline), built with the system compiler as bench/run.sh
/// builds them: `ecs_baseline` must write exactly the bytes `export --format ecs` writes, or the
/// benchmark's "× C baseline" ratio compares different work. Checked on a demo registry and on
/// hostile rows (invalid UTF-8, escapes, every shape of `extra`, bad rows), so a change to the
/// ECS formatter, the mapper or the canonicalizer that the C program does not follow fails here.
@Suite(.serialized) struct CBaselineTests {
    let cli: CLIHarness
    let programs: String

    /// The programs, built once for both tests into the build folder (not /tmp: a static value is
    /// never released, so a temporary directory would be left behind); nil, or what went wrong.
    static let buildFailure: String? = {
        do {
            let build = try ExternalTool.run(
                [RepositoryPaths.root.appendingPathComponent("bench/c-baseline/build.sh").path, folder],
                executable: "/bin/bash")
            return build.status == 0 ? nil : "bench/c-baseline/build.sh failed: \(build.stderr)"
        } catch {
            return "cannot run bench/c-baseline/build.sh: \(error)"
        }
    }()
    static let folder = RepositoryPaths.root.appendingPathComponent(".build/c-baseline-tests").path

    init() throws {
        cli = try CLIHarness()
        try #require(Self.buildFailure == nil, "\(Self.buildFailure ?? "")")
        programs = Self.folder
    }

    /// Both programs' output for one database: (exit status, bytes) of the export and of the baseline.
    func outputs(_ db: String, registryID: String) throws -> (export: (Int32, Data), baseline: (Int32, Data)) {
        let export = try cli.run([
            "export", "--db", db, "--format", "ecs", "--registry-id", registryID, "--order", "id", "--output",
            cli.path("export.jsonl"),
        ])
        let baseline = try ExternalTool.run(
            [db, registryID, cli.path("baseline.jsonl")], executable: programs + "/ecs_baseline")
        return (
            (export.status, try Data(contentsOf: URL(fileURLWithPath: cli.path("export.jsonl")))),
            (baseline.status, try Data(contentsOf: URL(fileURLWithPath: cli.path("baseline.jsonl"))))
        )
    }

    @Test func theBaselineWritesTheExportsBytesForADemoRegistry() throws {
        let db = cli.path("demo.sqlite")
        try DemoRegistryWriter(rows: 2_000).write(to: db)
        let (export, baseline) = try outputs(db, registryID: "bench")
        #expect(export.0 == 0)
        #expect(baseline.0 == 0)
        #expect(export.1.count(where: { $0 == 0x0A }) == 2_000)
        #expect(baseline.1 == export.1, "ecs_baseline's bytes differ from export --format ecs")

        let scan = try ExternalTool.run([db], executable: programs + "/scan_floor")
        #expect(scan.status == 0)
        #expect(String(decoding: scan.stdout, as: UTF8.self).hasPrefix("2000 rows, checksum "))
    }

    @Test func theBaselineWritesTheExportsBytesForHostileRows() throws {
        let db = cli.path("hostile.sqlite")
        let rows = try HostileRegistry(path: db)
        try rows.fill(randomRows: 400, seed: 17)
        let (export, baseline) = try outputs(db, registryID: #"reg "ü"\"#)
        #expect(export.0 == 65, "some rows cannot become events: the export dead-letters them")
        #expect(baseline.0 == 65)
        #expect(export.1.count(where: { $0 == 0x0A }) > 250)
        #expect(baseline.1 == export.1, "ecs_baseline's bytes differ from export --format ecs")
    }
}

/// A registry of the older schema (no NOT NULL, untyped `timestamp` and `tlog_index`), so rows
/// can hold what the current schema forbids.
struct HostileRegistry {
    let queue: DatabaseQueue

    init(path: String) throws {
        queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (id INTEGER PRIMARY KEY, token_id TEXT, file_id TEXT, recipient_id TEXT,
                        issuer_id TEXT, kind TEXT, source_ip TEXT, user_agent TEXT, extra TEXT, timestamp,
                        qualified_timestamp TEXT, tlog_index)
                    """)
        }
    }

    /// Every shape of `extra` the mapper tells apart, and JSON the canonicalizer must rewrite.
    static let extras = [
        #"{"qname":"x.example","qtype":"A"}"#, #"{"a":1,"a":2}"#, "[1,2]", "not json", "", "null", "{}", "  ", "\t\n",
        #"{"n":123456789012345678901234567890,"f":1e400,"g":-1E+999,"h":1e-400}"#, #"{"s":"\ud800"}"#,
        #" { "k" : [ true , null ] } "#, #"{"a":{"b":1,"b":[2,{"c":3,"c":4}]},"a":5,"d":6}"#, #""just a string""#,
        "42", "-0", "true", #"{"u":"\u00e9\uD83D\uDE00\u0000\u001f\u007f\/\b\f\n\r\t"}"#,
        #"{"x":"\udc00","y":"\ud800\u0041"}"#, #"{"z":"\ud800\uzzzz"}"#, #"{"a":1,}"#, #"{"a" 1}"#, "[",
        "{\"k\":\"raw\u{7F}del\"}", "{\"k\":\"ctl\u{01}\"}", #"{"":1,"":2}"#, #"{"e":"a\u0061","e":"aa","ea":1}"#,
        String(repeating: #"{"d":"#, count: 511) + "1" + String(repeating: "}", count: 511),
        String(repeating: #"{"d":"#, count: 512) + "1" + String(repeating: "}", count: 512), "0x10", "01", "1.",
        "nulll", #"{"a":[]  ,"b":{ }}"#, #"{"big":"# + String(repeating: "9", count: 400) + "}",
    ]

    /// Byte pieces that need escaping or repair: quotes, controls, DEL, non-ASCII, and ill-formed
    /// UTF-8 (surrogates, overlong forms, truncated and stray sequences).
    static let pieces: [[UInt8]] = [
        Array("a".utf8), Array("\"".utf8), Array("\\".utf8), [0x00], [0x01], [0x1F], [0x7F], Array("é".utf8),
        Array("李".utf8), Array("😀".utf8), [0xED, 0xA0, 0x80], [0xFF], Array("{".utf8), Array("}".utf8), [0x0A],
        Array("\u{2028}".utf8), [0x20], Array("1e999".utf8), [0xE0, 0x80], [0xF0, 0x90, 0x80], [0xC2],
        [0xF4, 0x90, 0x80, 0x80], [0xE1, 0x80], [0x80, 0x80], [0xF8, 0x88, 0x80], [0xC0, 0xAF],
    ]
    static let timestamps: [DatabaseValue] = [
        1_767_225_600.databaseValue, "1767225600".databaseValue, " 42 ".databaseValue, 1_767_225_600.9.databaseValue,
        (-86_400).databaseValue, 253_402_300_799.databaseValue, 253_402_300_800.databaseValue, .null, "x".databaseValue,
        "".databaseValue, "+5".databaseValue, "1e3".databaseValue, "NaN".databaseValue, "Infinity".databaseValue,
        "99999999999999999999".databaseValue,
    ]
    static let tlogIndexes: [DatabaseValue] = [
        .null, 12.databaseValue, "12".databaseValue, "".databaseValue, "x".databaseValue, 3.7.databaseValue,
        " 7 ".databaseValue,
    ]
    static let textColumns = [
        "token_id", "file_id", "recipient_id", "issuer_id", "source_ip", "user_agent", "qualified_timestamp",
    ]

    /// One row: `values` by column (kind `dns` and a valid timestamp unless given), the columns in
    /// `rawText` stored as TEXT from bytes (a blob cast to TEXT: invalid UTF-8 and all).
    static func insert(_ db: Database, _ id: Int, _ values: [String: DatabaseValue], rawText: Set<String>) throws {
        var all: [String: DatabaseValue] = ["kind": "dns".databaseValue, "timestamp": 1_767_225_600.databaseValue]
        all.merge(values) { _, new in new }
        let names = all.keys.sorted()
        let placeholders = names.map { rawText.contains($0) ? "CAST(? AS TEXT)" : "?" }
        try db.execute(
            sql:
                "INSERT INTO events (id, \(names.joined(separator: ", "))) VALUES (\(id), \(placeholders.joined(separator: ", ")))",
            arguments: StatementArguments(names.map { all[$0]! }))
    }

    /// The fixed rows, then `randomRows` random ones, ids from 1, in one transaction.
    func fill(randomRows: Int, seed: UInt64) throws {
        var rows: [(values: [String: DatabaseValue], rawText: Set<String>)] = []
        func insert(_ values: [String: DatabaseValue], rawText: Set<String> = []) {
            rows.append((values, rawText))
        }
        for extra in Self.extras {
            insert(["extra": extra.databaseValue, "token_id": "tok".databaseValue])
        }
        for address in ["192.0.2.1\u{0}x", "::ffff:192.0.2.1", "fe80::1%eth0", " 192.0.2.1", "1.2.3", "2001:db8::1"] {
            insert(["source_ip": address.databaseValue])
        }
        for kind in ["weird\"kind", "", "license", "ocsp", "http_img", "ünknown"] {
            insert(["kind": kind.databaseValue])
        }
        var random = SeededRandom(seed: seed)
        func text() -> Data {
            Data(
                (0..<Int.random(in: 0...12, using: &random)).flatMap { _ in Self.pieces.randomElement(using: &random)! }
            )
        }
        for _ in 0..<randomRows {
            var values: [String: DatabaseValue] = [:]
            var raw: Set<String> = []
            for column in Self.textColumns + ["kind", "extra"] {
                switch Int.random(in: 0...9, using: &random) {
                case 0: values[column] = .null
                case 1: values[column] = Int64.random(in: .min ... .max, using: &random).databaseValue
                case 2:
                    let count = Int.random(in: 0...4, using: &random)
                    values[column] =
                        Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }).databaseValue
                default:
                    values[column] = text().databaseValue
                    raw.insert(column)
                }
            }
            if Int.random(in: 0...2, using: &random) > 0 { values["kind"] = "http_img".databaseValue }
            if Bool.random(using: &random) {
                values["extra"] = Self.extras.randomElement(using: &random)!.databaseValue
                raw.remove("extra")
            }
            values["timestamp"] =
                Bool.random(using: &random)
                ? 1_767_225_600.databaseValue : Self.timestamps.randomElement(using: &random)!
            values["tlog_index"] = Self.tlogIndexes.randomElement(using: &random)!
            insert(values, rawText: raw)
        }
        try queue.write { db in
            for (index, row) in rows.enumerated() {
                try Self.insert(db, index + 1, row.values, rawText: row.rawText)
            }
        }
    }
}
