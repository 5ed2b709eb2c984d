import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

/// Logical decoding with `pgoutput` from a real replication slot: committed inserts in commit
/// order, exactly once across an acknowledged restart, nothing rolled back, and the slot's
/// confirmed position following the acknowledgements.
///
/// Serialized, on a server of their own: creating a logical slot waits for every transaction
/// open in the cluster to end.
@Suite(.serialized) struct PostgresChangeStreamTests {
    static let group = "change-stream"

    /// A database with the `events` table, a publication of it and a pgoutput slot.
    private func prepare() throws -> (PostgresTestDatabase, slot: String) {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        try database.writer().execute("CREATE PUBLICATION siem_events FOR TABLE events")
        let slot = "slot_\(database.name)"
        try database.writer().execute("SELECT pg_create_logical_replication_slot('\(slot)', 'pgoutput')")
        return (database, slot)
    }

    private func stream(
        _ database: PostgresTestDatabase, _ slot: String, after: PostgresChangePosition? = nil
    ) throws
        -> PostgresChangeStream
    {
        try PostgresChangeStream(
            options: database.options, slot: slot, publication: "siem_events", table: "events", columns: ["message"],
            after: after)
    }

    /// The messages of the rows that arrive within `wait` milliseconds (one batch per
    /// transaction, so it reads until the time is up or `expecting` rows came).
    private func messages(_ stream: PostgresChangeStream, expecting: Int = .max, wait: Int = 500) throws -> [String] {
        var batch = PostgresChangeBatch()
        var messages: [String] = []
        let deadline = ContinuousClock.now + .milliseconds(wait)
        while messages.count < expecting, ContinuousClock.now < deadline {
            try stream.read(max: 100, waitMilliseconds: 50, into: &batch)
            messages += (0..<batch.count).map { batch[$0, 0].textValue?.string ?? "NULL" }
        }
        return messages
    }

    /// Waits for the slot's confirmed position to reach `lsn`: the server applies a status
    /// update when it gets to it.
    private func confirmed(_ slot: String, reaches lsn: String, on session: PostgresTestServer.Session) throws -> Bool {
        // The walsender confirms the standby status update on its own time: under a loaded full
        // suite that took more than 2 s. 30 s bounds a failure, a pass returns at once.
        for _ in 0..<3_000 {
            let sql = "SELECT confirmed_flush_lsn >= '\(lsn)' FROM pg_replication_slots WHERE slot_name = '\(slot)'"
            if try session.scalar(sql) == "t" { return true }
            usleep(10_000)
        }
        return false
    }

    /// Scenario 1: A takes id 1 and stays open, B takes id 2 and commits: B's row comes first,
    /// A's when A commits; a rolled-back insert, an update and a delete never come.
    @Test func committedInsertsArriveInCommitOrderOnce() throws {
        let (database, slot) = try prepare()
        let stream = try stream(database, slot)
        let a = try database.writer()
        let b = try database.writer()
        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('a')")
        try b.execute("INSERT INTO events (message) VALUES ('b')")
        try b.execute("BEGIN; INSERT INTO events (message) VALUES ('gone'); ROLLBACK")
        #expect(try messages(stream, wait: 1_000) == ["b"])
        try a.execute("COMMIT")
        try b.execute("UPDATE events SET message = 'changed'; DELETE FROM events WHERE message = 'changed'")
        #expect(try messages(stream, wait: 1_000) == ["a"])
        #expect(try messages(stream, wait: 200) == [])
    }

    /// A restart after acknowledging part of a transaction resumes inside it: the rows up to
    /// the acknowledged one are not sent again, the others are, and the slot remembers where.
    @Test func aNewStreamResumesAfterTheAcknowledgedRow() throws {
        let (database, slot) = try prepare()
        let writer = try database.writer()
        try writer.execute("INSERT INTO events (message) SELECT 'm' || n FROM generate_series(1, 5) n")
        var first: PostgresChangePosition?
        do {
            let stream = try stream(database, slot)
            var batch = PostgresChangeBatch()
            try stream.read(max: 3, waitMilliseconds: 2_000, into: &batch)
            #expect((0..<batch.count).map { batch[$0, 0].textValue?.string } == ["m1", "m2", "m3"])
            #expect(batch.positions.map(\.ordinal) == [1, 2, 3])
            first = batch.positions[1]
            try stream.acknowledge(batch.positions[1])
        }
        #expect(try confirmed(slot, reaches: try #require(first).commitLSN.description, on: writer))
        let resumed = try stream(database, slot, after: first)
        #expect(try messages(resumed, expecting: 3, wait: 2_000) == ["m3", "m4", "m5"])
        try writer.execute("INSERT INTO events (message) VALUES ('m6')")
        #expect(try messages(resumed, expecting: 1, wait: 2_000) == ["m6"])
    }

    /// A server restart breaks the stream retryably; `reconnect()` resumes after the last
    /// acknowledged row, so the unacknowledged one comes again (at least once) and nothing is lost.
    @Test func aServerRestartIsRetryableAndReconnectResumes() throws {
        let server = try PostgresTestServer()
        let database = try PostgresTestDatabase(on: server)
        try database.writer().execute("CREATE PUBLICATION siem_events FOR TABLE events")
        try database.writer().execute("SELECT pg_create_logical_replication_slot('s', 'pgoutput')")
        let stream = try PostgresChangeStream(
            options: database.options, slot: "s", publication: "siem_events", table: "events", columns: ["message"])
        try database.writer().execute(
            "INSERT INTO events (message) VALUES ('x'); INSERT INTO events (message) VALUES ('y')")
        var batch = PostgresChangeBatch()
        try stream.read(max: 10, waitMilliseconds: 2_000, into: &batch)
        #expect(batch.count >= 1)
        try stream.acknowledge(batch.positions[0])
        try server.restart()
        var failure: (any Error)?
        for _ in 0..<50 where failure == nil {
            do { try stream.read(max: 10, waitMilliseconds: 100, into: &batch) } catch { failure = error }
        }
        let error = try #require(failure as? SIEMError)
        #expect(PostgresConnection.isRetryable(error), "\(error)")
        try stream.reconnect()
        try database.writer().execute("INSERT INTO events (message) VALUES ('z')")
        #expect(try messages(stream, expecting: 2, wait: 3_000) == ["y", "z"])
    }

    /// With everything read acknowledged, writes to other tables move the slot forward too, so
    /// a quiet table does not make the server keep its WAL.
    @Test func aQuietTableDoesNotHoldTheSlotBack() throws {
        let (database, slot) = try prepare()
        let writer = try database.writer()
        try writer.execute("CREATE TABLE other (n int)")
        let stream = try stream(database, slot)
        try writer.execute("INSERT INTO events (message) VALUES ('only')")
        var batch = PostgresChangeBatch()
        try stream.read(max: 10, waitMilliseconds: 2_000, into: &batch)
        try stream.acknowledge(try #require(batch.positions.last))
        try writer.execute("INSERT INTO other SELECT generate_series(1, 1000)")
        let lsn = try #require(try writer.scalar("SELECT pg_current_wal_lsn()"))
        #expect(try messages(stream, wait: 300) == [])
        try stream.acknowledge(batch.positions.last!)
        #expect(try confirmed(slot, reaches: lsn, on: writer))
    }

    @Test func valuesDecodeAsInAQuery() throws {
        let (database, slot) = try prepare()
        try database.writer().execute(
            "ALTER TABLE events ADD COLUMN at timestamptz, ADD COLUMN blob bytea, ADD COLUMN n numeric")
        let stream = try PostgresChangeStream(
            options: database.options, slot: slot, publication: "siem_events", table: "events",
            columns: ["id", "message", "at", "blob", "n"])
        try database.writer().execute(
            "INSERT INTO events (message, at, blob, n) VALUES (NULL, '2024-05-01 14:00:00+02', '\\x00ff', 1e30)")
        var batch = PostgresChangeBatch()
        try stream.read(max: 10, waitMilliseconds: 2_000, into: &batch)
        try #require(batch.count == 1)
        #expect(batch.value("id", row: 0) == .integer(1))
        #expect(batch.value("message", row: 0) == .null)
        #expect(batch.value("at", row: 0) == .text("2024-05-01T12:00:00Z"))
        #expect(batch.value("blob", row: 0) == .blob([0, 255]))
        #expect(batch.value("n", row: 0) == .text("1000000000000000000000000000000"))
    }

    @Test func aMissingSlotOrPublicationIsAConfigurationError() throws {
        let (database, slot) = try prepare()
        let missingSlot = try #require(throws: SIEMError.self) { try stream(database, "no_such_slot") }
        #expect(missingSlot.what.contains("replication slot no_such_slot does not exist"))
        try database.writer().execute("CREATE TABLE other (id bigint PRIMARY KEY, message text)")
        let unpublished = try #require(throws: SIEMError.self) {
            try PostgresChangeStream(options: database.options, slot: slot, publication: "siem_events", table: "other")
        }
        #expect(unpublished.what.contains("publication siem_events does not publish public.other"))
        let badName = try #require(throws: SIEMError.self) { try stream(database, "Bad-Name") }
        guard case .config = badName else {
            Issue.record("expected a config error, got \(badName)")
            return
        }
    }

    @Test func positionsRoundTripAsText() {
        let position = PostgresChangePosition(commitLSN: PostgresLSN(0x16_B374_D848), ordinal: 3)
        #expect(position.description == "16/B374D848:3")
        #expect(PostgresChangePosition(position.description) == position)
        #expect(PostgresLSN("0/0") == PostgresLSN(0))
        #expect(PostgresLSN("nonsense") == nil)
    }
}
