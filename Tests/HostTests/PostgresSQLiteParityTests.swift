import Foundation
import GRDB
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The same rows in SQLite (`sqlite_table`) and in PostgreSQL (`postgres_table`), mapped by the
/// beacon mapper, export to the same bytes in every registered formatter: the PostgreSQL source
/// hands the mapper the values SQLite does. Each fixture row (Tests/Fixtures/rows) goes into a
/// table of its own whose column types follow the row's values (an integer in an integer column,
/// a REAL in a double, text in text), so odd typings like a REAL timestamp are compared too.
@Suite(.serialized) struct PostgresSQLiteParityTests {
    static let columns = ["id"] + OversightBeaconMapper.columnNames

    /// The SQL type each value is stored as: SQLite's, PostgreSQL's.
    static func types(_ value: SQLValue) -> (sqlite: String, postgres: String) {
        switch value {
        case .integer: return ("INTEGER", "bigint")
        case .real: return ("REAL", "double precision")
        case .blob: return ("BLOB", "bytea")
        case .text, .null: return ("TEXT", "text")
        }
    }

    /// `value` as a PostgreSQL literal.
    static func literal(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let i): return String(i)
        case .real(let d): return "'\(d)'::float8"
        case .text(let t): return "$fixture$" + t.string + "$fixture$"
        case .blob(let b): return "'\\x" + b.map { String(format: "%02x", $0) }.joined() + "'::bytea"
        }
    }

    @Test func theSameRowsExportToTheSameBytesInEveryFormatter() async throws {
        let cases = try FixtureRows.all().filter { fixture in
            // PostgreSQL text cannot hold NUL (it refuses it at insert), so such a row never exists there.
            !Self.columns.contains { fixture.row.value(of: $0).textValue?.string.contains("\0") == true }
        }
        #expect(cases.count >= 20)
        let folder = try TemporaryDirectory("siem-parity")
        let sqlitePath = folder.appending("rows.sqlite").path
        let sqlite = try DatabaseQueue(path: sqlitePath)
        let server = try PostgresTestServer.shared("parity")
        let database = try server.makeDatabase()
        let postgres = try server.session(database: database)
        for (index, fixture) in cases.enumerated() {
            let values = Self.columns.map { fixture.row.value(of: $0) }
            let sqliteColumns = zip(Self.columns, values).map { "\"\($0)\" \(Self.types($1).sqlite)" }
            try await sqlite.write { db in
                try db.execute(
                    sql: "CREATE TABLE case_\(index) (\(sqliteColumns.joined(separator: ", ")))")
                try db.execute(
                    sql: "INSERT INTO case_\(index) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))",
                    arguments: StatementArguments(values.map(Self.databaseValue)))
            }
            let postgresColumns = zip(Self.columns, values).map { "\"\($0)\" \(Self.types($1).postgres)" }
            try postgres.execute(
                "CREATE TABLE case_\(index) (\(postgresColumns.joined(separator: ", ")), txid xid8 NOT NULL DEFAULT pg_current_xact_id()); "
                    + "INSERT INTO case_\(index) (\(Self.columns.map { "\"\($0)\"" }.joined(separator: ", "))) "
                    + "VALUES (\(values.map(Self.literal).joined(separator: ", ")))")
        }

        let registry = BuiltInPlugins.registry
        let mapper = try #require(registry.mappers["oversight_beacon"]).make(
            options: JSONOptions(#"{"registry_id":"5f1d3c9ab0e24a7d"}"#), context: PluginContext(baseDirectory: "/"))
        let formatterIDs = registry.formatters.keys.sorted()
        for (index, fixture) in cases.enumerated() {
            let fromSQLite = try registry.sources["sqlite_table"]!.make(
                options: JSONOptions(#"{"path":"\#(sqlitePath)","table":"case_\#(index)","cursor":"id"}"#),
                context: PluginContext(baseDirectory: "/"))
            let fromPostgres = try registry.sources["postgres_table"]!.make(
                options: JSONOptions(
                    #"{"url":"\#(server.url(database: database))","password":"\#(server.password)","table":"case_\#(index)","cursor":"id","consistency":"txid_column"}"#
                ), context: PluginContext(baseDirectory: "/"))
            let sqliteBytes = try await Self.export(fromSQLite, mapper: mapper, formatters: formatterIDs)
            let postgresBytes = try await Self.export(fromPostgres, mapper: mapper, formatters: formatterIDs)
            for (formatterID, (expected, actual)) in zip(formatterIDs, zip(sqliteBytes, postgresBytes)) {
                #expect(!expected.isEmpty, "\(fixture.name) as \(formatterID) exported nothing")
                let identical = actual == expected
                #expect(
                    identical,
                    "\(fixture.name) as \(formatterID):\nSQLite:     \(String(decoding: expected, as: UTF8.self))\nPostgreSQL: \(String(decoding: actual, as: UTF8.self))"
                )
            }
        }
    }

    /// What every formatter wrote for the source's rows, in its first framing.
    static func export(
        _ source: any EventSource, mapper: any EventMapper, formatters: [String]
    ) async throws
        -> [[UInt8]]
    {
        let sinks = formatters.map { _ in InMemorySink() }
        let pipelines = try zip(formatters, sinks).map { id, sink in
            let framing = PluginConformanceTests.framing(
                try #require(BuiltInPlugins.registry.formatters[id]?.description.framings.first))
            return try PluginConformanceTests.pipeline(formatter: id, framing: framing, sink: sink)
        }
        let end = try source.endPosition()
        _ = try await PipelineRunner(batchSize: 10).run(
            source: source, mapper: mapper, pipelines: pipelines, query: SourceQuery(through: end),
            startAfter: pipelines.map { _ in .start })
        return sinks.map { $0.batches.flatMap(\.bytes) }
    }

    static func databaseValue(_ value: SQLValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .null: return nil
        case .integer(let i): return i
        case .real(let d): return d
        case .text(let t): return t.string
        case .blob(let b): return Data(b)
        }
    }
}
