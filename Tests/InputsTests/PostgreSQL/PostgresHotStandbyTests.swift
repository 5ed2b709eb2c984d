import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

/// A streaming hot standby of a real primary: the txid rule reads it, out-of-order commits on the
/// primary included; the lock barrier is refused there.
@Suite struct PostgresHotStandbyTests {
    @Test func txidColumnWorksOnAHotStandbyAndLockBarrierIsRefused() throws {
        let primary = try PostgresTestServer()
        let database = try PostgresTestDatabase(on: primary)
        let a = try database.writer()
        let b = try database.writer()
        try b.execute("INSERT INTO events (message) VALUES ('first')")
        let standby = try PostgresTestServer(standbyOf: primary)
        let onStandby = PostgresConnectionOptions(
            target: .keywords(host: "127.0.0.1", port: standby.port, database: database.name, user: primary.user),
            password: primary.password)
        let connection = try PostgresConnection(onStandby)
        #expect(try connection.isInRecovery())
        let reader = try PostgresKeysetReader(
            connection: connection, table: "events", columns: ["message"], rule: .txidColumn("txid"))
        var cursor = PostgresCursor.start
        #expect(try drain(reader, from: &cursor) == ["first"])

        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('a')")
        try b.execute("INSERT INTO events (message) VALUES ('b')")
        try waitForReplay(of: primary, on: standby, database: database.name)
        #expect(try drain(reader, from: &cursor) == [], "b waits for a on the standby too")
        try a.execute("COMMIT")
        try waitForReplay(of: primary, on: standby, database: database.name)
        #expect(try drain(reader, from: &cursor) == ["a", "b"])

        let error = try #require(throws: SIEMError.self) {
            try PostgresKeysetReader(connection: connection, table: "events", rule: .lockBarrier(sequence: nil))
        }
        guard case .config(_, let message) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(message.contains("hot standby"))

        // The postgres_table source pointed at the standby: the txid rule reads it, the lock
        // barrier is refused at validate.
        let url = "postgresql://\(primary.user)@127.0.0.1:\(standby.port)/\(database.name)"
        func source(_ consistency: String) throws -> PostgresTableSource {
            try PostgresTableSource(
                options: .decode(
                    from: JSONOptions(
                        #"{"url":"\#(url)","password":"\#(primary.password)","table":"events","cursor":"id","consistency":\#(consistency)}"#
                    )), context: PluginContext(baseDirectory: "/"))
        }
        let replica = try source(#""txid_column""#)
        let end = try #require(try replica.endPosition())
        #expect(end.id == 3)
        let rows = try replica.open(SourceQuery(through: end), columns: [SourceColumn("message")])
        var batch = RowBatch(columns: rows.columns)
        try rows.next(into: &batch, max: 10)
        #expect((0..<batch.count).map { batch[$0, 0].textValue?.string } == ["first", "a", "b"])
        let refused = try #require(throws: SIEMError.self) { _ = try source(#""lock_barrier""#) }
        #expect(refused.exitCode == 78)
        #expect(refused.what.contains("hot standby"), "\(refused)")
    }

    /// Waits until the standby has replayed everything the primary has written so far.
    private func waitForReplay(of primary: PostgresTestServer, on standby: PostgresTestServer, database: String) throws
    {
        let lsn = try primary.session(database: database).scalar("SELECT pg_current_wal_insert_lsn()")!
        let observer = try standby.session(database: database)
        for _ in 0..<1_000 {
            if try observer.scalar("SELECT pg_last_wal_replay_lsn() >= '\(lsn)'::pg_lsn") == "t" { return }
            usleep(10_000)
        }
        Issue.record("the standby did not replay up to \(lsn)")
    }
}
