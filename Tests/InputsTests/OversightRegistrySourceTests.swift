import Foundation
import GRDB
import SIEMCore
import Testing

@testable import SIEMInputs

@Suite struct OversightRegistrySourceTests {
    func source(_ path: String) throws -> OversightRegistrySource {
        var options = OversightRegistrySource.Options()
        options.path = path
        return try OversightRegistrySource(options: options, context: PluginContext(baseDirectory: "/"))
    }

    static let columns = OversightBeaconMapper.columnNames.map { SourceColumn($0, required: false) }

    func readAll(_ source: OversightRegistrySource, _ query: SourceQuery, batch: Int) throws -> [[BeaconRow]] {
        let reader = try source.open(query, columns: Self.columns)
        var batches: [[BeaconRow]] = []
        var rows = RowBatch(columns: reader.columns)
        while true {
            try reader.next(into: &rows, max: batch)
            if rows.isEmpty { break }
            batches.append(rows.beaconRows())
        }
        return batches
    }

    @Test func streamsInBoundedBatchesInIdOrder() throws {
        let db = try RegistryDatabase()
        try db.insert(2_500)
        let batches = try readAll(try source(db.path), SourceQuery(), batch: 1_000)
        #expect(batches.map(\.count) == [1_000, 1_000, 500])
        #expect(batches.flatMap { $0 }.map(\.id) == Array(1...2_500))
    }

    @Test func honoursAfterThroughAndSince() throws {
        let db = try RegistryDatabase()
        try db.insert(100)
        let ids = try readAll(try source(db.path), SourceQuery(after: 10, through: 20), batch: 3).flatMap { $0 }
            .map(\.id)
        #expect(ids == Array(11...20))
        let since = try readAll(try source(db.path), SourceQuery(sinceUnix: 1_000_050), batch: 7).flatMap { $0 }
        #expect(since.allSatisfy { if case .integer(let t) = $0.timestamp { t >= 1_000_050 } else { false } })
        #expect(since.count == (1...100).filter { $0 % 3 != 0 && 1_000_000 + $0 >= 1_000_050 }.count)
    }

    @Test func timestampOrderSortsByTimestampThenId() throws {
        let db = try RegistryDatabase()
        try db.insert(50)
        try db.queue.write { db in
            try db.execute(sql: "INSERT INTO events (token_id, kind, timestamp) VALUES ('dup', 'dns', 1000003)")
        }
        let rows = try readAll(try source(db.path), SourceQuery(order: .timestamp), batch: 4).flatMap { $0 }
        let keys = rows.map { row -> (Int64, Int64) in
            guard case .integer(let t) = row.timestamp else { return (0, 0) }
            return (t, row.id)
        }
        #expect(rows.count == 51)
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func readsColumnTypesAsStored() throws {
        let db = try RegistryDatabase()
        try db.queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO events (token_id, kind, user_agent, extra, timestamp, tlog_index)
                    VALUES ('t', 'dns', CAST(X'41FF42' AS TEXT), X'00FF', 12.5, NULL)
                    """)
            try db.execute(
                sql:
                    "INSERT INTO events (token_id, kind, user_agent, timestamp) VALUES ('t', 'dns', CAST(X'6E756C00696E73696465' AS TEXT), 'yesterday')"
            )
        }
        let rows = try readAll(try source(db.path), SourceQuery(), batch: 10).flatMap { $0 }
        #expect(rows[0].userAgent == .text("A\u{FFFD}B"))  // invalid UTF-8 repaired, not dropped
        #expect(rows[0].extra == .blob([0x00, 0xFF]))
        #expect(rows[0].timestamp == .real(12.5))
        #expect(rows[0].tlogIndex == .null)
        #expect(rows[1].userAgent == .text("nul\u{0}inside"))
        #expect(rows[1].timestamp == .text("yesterday"))
    }

    @Test func toleratesRegistriesWithoutOptionalColumns() throws {
        let db = try RegistryDatabase(
            schema: "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, timestamp INTEGER)")
        try db.queue.write { try $0.execute(sql: "INSERT INTO events (kind, timestamp) VALUES ('ocsp', 5)") }
        let rows = try readAll(try source(db.path), SourceQuery(), batch: 10).flatMap { $0 }
        #expect(rows == [BeaconRow(id: 1, kind: .text("ocsp"), timestamp: .integer(5))])
    }

    @Test func refusesWhatIsNotARegistryWithOneClearError() throws {
        let db = try RegistryDatabase(schema: "CREATE TABLE events (id INTEGER PRIMARY KEY, token_id TEXT)")
        #expect(throws: SIEMError.source(path: db.path, message: "`events` table lacks column(s) kind, timestamp")) {
            _ = try source(db.path)
        }
        let other = try RegistryDatabase(schema: "CREATE TABLE other (x)")
        #expect(throws: SIEMError.source(path: other.path, message: "no `events` table (is this a beacon registry?)")) {
            _ = try source(other.path)
        }
        #expect(throws: SIEMError.source(path: "/nonexistent/registry.sqlite", message: "database file not found")) {
            _ = try source("/nonexistent/registry.sqlite")
        }
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("junk-\(UUID().uuidString).sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: junk)
        defer { try? FileManager.default.removeItem(at: junk) }
        do {
            _ = try source(junk.path)
            Issue.record("junk opened")
        } catch let error as SIEMError {
            #expect(error.description.contains("not an SQLite database"))
            #expect(error.exitCode == 66)
        }
    }

    @Test func neverWritesAndNeverBlocksAWriter() throws {
        let db = try RegistryDatabase(wal: false)  // rollback journal: the strictest locking mode
        try db.insert(10)
        let registry = try source(db.path)
        #expect(throws: SIEMError.self) {
            try registry.table.connection.execute("INSERT INTO events (token_id, kind, timestamp) VALUES ('x','dns',1)")
        }
        #expect(throws: SIEMError.self) {
            try registry.table.connection.execute("PRAGMA query_only = 0; DELETE FROM events")
        }

        // Between batches in id order no read transaction is held, so a writer gets through at once.
        let reader = try registry.open(SourceQuery(), columns: Self.columns)
        var batch = RowBatch(columns: reader.columns)
        try reader.next(into: &batch, max: 4)
        let rows = batch.beaconRows()
        var writer = Configuration()
        writer.busyMode = .immediateError
        let other = try DatabaseQueue(path: db.path, configuration: writer)
        try other.write {
            try $0.execute(sql: "INSERT INTO events (token_id, kind, timestamp) VALUES ('late','dns',1)")
        }
        var all = rows
        repeat {
            try reader.next(into: &batch, max: 4)
            all += batch.beaconRows()
        } while !batch.isEmpty
        #expect(all.count == 11)
        #expect(try registry.endPosition() == 11)
    }

    @Test func readsWhileAnotherProcessKeepsInserting() async throws {
        let db = try RegistryDatabase()
        try db.insert(200)
        let registry = try source(db.path)
        let end = try #require(try registry.endPosition())
        let writer = Task.detached {
            for i in 0..<50 { try db.insert(5, startingAt: 1_000 + i * 5) }
        }
        let rows = try readAll(registry, SourceQuery(through: end), batch: 16).flatMap { $0 }
        try await writer.value
        #expect(rows.map(\.id) == Array(1...200))
        #expect(try registry.endPosition() == 450)
    }

    @Test func escapesPathsForTheSQLiteURI() {
        #expect(SQLiteReadOnlyConnection.uriEscape("/a b/c?d#e%f") == "/a b/c%3Fd%23e%25f")
        #expect(SQLiteReadOnlyConnection.uriEscape("/é") == "/%C3%A9")
    }
}
