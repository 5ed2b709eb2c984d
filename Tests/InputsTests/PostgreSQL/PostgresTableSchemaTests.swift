import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

/// A config's table, columns and rule checked against the catalog before any row is read.
@Suite struct PostgresTableSchemaTests {
    @Test func reportsTheColumnsPresent() throws {
        let database = try PostgresTestDatabase()
        let schema = try PostgresTableSchema.load("events", from: database.connect())
        #expect(schema.table == PostgresTableName(schema: "public", name: "events"))
        #expect(schema.columns.map(\.name) == ["id", "txid", "message"])
        #expect(schema.columns.map(\.typeName) == ["bigint", "xid8", "text"])
        #expect(schema.columns.map(\.isCursorInteger) == [true, false, false])
        #expect(schema.columns.map(\.isNotNull) == [true, true, false])
    }

    @Test func aMissingTableIsASourceErrorWithItsName() throws {
        let database = try PostgresTestDatabase()
        let error = try #require(throws: SIEMError.self) {
            try PostgresKeysetReader(connection: database.connect(), table: "event", rule: .unsafeIDOrder)
        }
        #expect(
            error
                == .source(
                    path: "127.0.0.1:\(database.server.port)/\(database.name)",
                    message: "table event does not exist or is not visible to this role (did you mean 'events'?)"))
    }

    @Test func aMissingColumnIsASourceErrorWithASuggestionAndTheColumns() throws {
        let database = try PostgresTestDatabase()
        let error = try #require(throws: SIEMError.self) {
            try PostgresKeysetReader(
                connection: database.connect(), table: "public.events", columns: ["id", "mesage"],
                rule: .txidColumn("txid"))
        }
        #expect(
            error
                == .source(
                    path: "127.0.0.1:\(database.server.port)/\(database.name)",
                    message: "column 'mesage' does not exist in table public.events (did you mean 'message'?); "
                        + "its columns: id, txid, message"))
    }

    @Test func theCursorColumnMustBeAnInteger() throws {
        let database = try PostgresTestDatabase()
        let error = try #require(throws: SIEMError.self) {
            try PostgresKeysetReader(
                connection: database.connect(), table: "events", idColumn: "message", rule: .unsafeIDOrder)
        }
        #expect(
            error.what == "cursor column 'message' of table public.events is text; it must be an integer "
                + "(smallint, integer or bigint)")
    }

    @Test func theTxidColumnMustBeXid8() throws {
        let database = try PostgresTestDatabase()
        let error = try #require(throws: SIEMError.self) {
            try PostgresKeysetReader(connection: database.connect(), table: "events", rule: .txidColumn("message"))
        }
        #expect(error.what.hasPrefix("txid column 'message' of table public.events is text; it must be xid8"))
    }

    /// A sequence that caches ids per session hands them out after `last_value` passed them,
    /// which the barrier cannot see: refused.
    @Test func theLockBarrierRefusesACachingSequence() throws {
        let database = try PostgresTestDatabase()
        try database.writer().execute("ALTER SEQUENCE events_id_seq CACHE 20")
        let error = try #require(throws: SIEMError.self) {
            try database.reader(.lockBarrier(sequence: nil))
        }
        guard case .config(_, let message) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(message.contains("caches 20 values per session"))
    }

    @Test func theLockBarrierNeedsASequence() throws {
        let database = try PostgresTestDatabase()
        try database.writer().execute("CREATE TABLE plain (id bigint PRIMARY KEY, message text)")
        let connection = try database.connect()
        #expect(throws: SIEMError.self) {
            try PostgresKeysetReader(connection: connection, table: "plain", rule: .lockBarrier(sequence: nil))
        }
        let error = try #require(throws: SIEMError.self) {
            try PostgresKeysetReader(connection: connection, table: "plain", rule: .lockBarrier(sequence: "nope_seq"))
        }
        #expect(error.what == "sequence nope_seq does not exist")
        #expect(
            try PostgresKeysetReader(
                connection: connection, table: "plain", rule: .lockBarrier(sequence: "events_id_seq")
            )
            .highestCursor() == nil)
    }

    /// Without a privilege that allows SHARE ROW EXCLUSIVE, the barrier fails as configuration.
    @Test func theLockBarrierNeedsALockPrivilege() throws {
        let database = try PostgresTestDatabase()
        let writer = try database.writer()
        let role = "reader_\(database.name)"
        try writer.execute("INSERT INTO events (message) VALUES ('x')")
        let admin = try database.server.session(database: database.name, user: "postgres")
        try admin.execute(
            "CREATE ROLE \(role) LOGIN PASSWORD '\(database.server.password)'; "
                + "GRANT SELECT ON events TO \(role); GRANT SELECT ON SEQUENCE events_id_seq TO \(role)")
        let connection = try PostgresConnection(
            PostgresConnectionOptions(
                target: .keywords(host: "127.0.0.1", port: database.server.port, database: database.name, user: role),
                password: database.server.password))
        let reader = try PostgresKeysetReader(
            connection: connection, table: "events", columns: ["message"], rule: .lockBarrier(sequence: nil))
        var batch = PostgresRowBatch()
        let error = try #require(throws: SIEMError.self) { try reader.read(after: .start, max: 10, into: &batch) }
        guard case .config(_, let message) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(message.contains("permission denied"))
    }
}
