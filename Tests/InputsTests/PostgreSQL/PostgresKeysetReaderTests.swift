import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

/// The rules against concurrent writers on a real server: rows whose ids commit out of order are
/// delivered exactly once (txidColumn, lockBarrier), and the unsafe rule really loses one.
///
/// Serialized, on a server of their own: a transaction a test holds open holds back the `xmin`
/// of every snapshot in the cluster, so the txid rule would (rightly) wait for another test's
/// writer too.
@Suite(.serialized) struct PostgresKeysetReaderTests {
    static let group = "keyset-reader"
    /// Scenario 1: A takes id 1 and stays open, B takes id 2 and commits. Below the snapshot's
    /// xmin (A's xid) there is nothing yet, so B's row waits for A instead of moving the cursor
    /// past id 1.
    @Test func txidColumnDeliversAnEarlierIDThatCommitsLate() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(.txidColumn("txid"))
        let a = try database.writer()
        let b = try database.writer()
        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('a')")
        try b.execute("INSERT INTO events (message) VALUES ('b')")
        var cursor = PostgresCursor.start
        let whileAOpen = try drain(reader, from: &cursor)
        try a.execute("COMMIT")
        let afterA = try drain(reader, from: &cursor)
        #expect(whileAOpen == [])
        #expect(afterA == ["a", "b"])
        #expect(try drain(reader, from: &cursor) == [])
    }

    /// Scenario 1 with the lock barrier and a short lock timeout: the read gives up waiting for A
    /// and stops before A's id, delivering neither row (B's id is above A's); once A commits
    /// both come, in id order.
    @Test func lockBarrierStopsBeforeAnOpenWriterWhenItsLockTimesOut() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(.lockBarrier(sequence: nil), lockTimeout: 100)
        let a = try database.writer()
        let b = try database.writer()
        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('a')")
        try b.execute("INSERT INTO events (message) VALUES ('b')")
        var batch = PostgresRowBatch()
        try reader.read(after: .start, max: 10, into: &batch)
        #expect(batch.isEmpty)
        #expect(batch.waitedOnWriter)
        #expect(batch.resumeCursor == .start)
        try a.execute("COMMIT")
        var cursor = PostgresCursor.start
        #expect(try drain(reader, from: &cursor) == ["a", "b"])
        #expect(cursor == PostgresCursor(id: 2))
    }

    /// Scenario 1 with the lock barrier waiting: the read blocks on its lock (seen in `pg_locks`)
    /// until A commits, then delivers both rows.
    @Test func lockBarrierWaitsForAnOpenWriter() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let a = try database.writer()
        let b = try database.writer()
        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('a')")
        try b.execute("INSERT INTO events (message) VALUES ('b')")
        let options = database.options
        let read = BackgroundRead {
            let reader = try PostgresKeysetReader(
                connection: PostgresConnection(options), table: "events", columns: ["message"],
                rule: .lockBarrier(sequence: nil), barrierLockTimeoutMilliseconds: 20_000)
            var cursor = PostgresCursor.start
            return try drain(reader, from: &cursor)
        }
        let observer = try database.writer()
        var waiting = false
        for _ in 0..<500 where !waiting {
            waiting =
                try observer.scalar(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'events'::regclass "
                        + "AND mode = 'ShareRowExclusiveLock'") == "1"
            if !waiting { usleep(10_000) }
        }
        #expect(waiting, "the read should queue for SHARE ROW EXCLUSIVE behind A")
        #expect(try read.result(waiting: 0) == nil)
        try a.execute("COMMIT")
        #expect(try read.result(waiting: 20) == ["a", "b"])
    }

    /// Scenario 4: the same interleaving read with plain `id > cursor` loses A's row for good:
    /// the proof that the rules above matter.
    @Test func unsafeIDOrderSkipsAnEarlierIDThatCommitsLate() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(.unsafeIDOrder)
        let a = try database.writer()
        let b = try database.writer()
        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('a')")
        try b.execute("INSERT INTO events (message) VALUES ('b')")
        var cursor = PostgresCursor.start
        #expect(try drain(reader, from: &cursor) == ["b"])
        try a.execute("COMMIT")
        #expect(try drain(reader, from: &cursor) == [], "A's row, id 1, is behind the cursor: skipped")
        #expect(try database.writer().scalar("SELECT count(*) FROM events") == "2")
    }

    /// Scenario 2: R takes its xid first, T inserts (lower id, younger xid) and stays open, R
    /// inserts (higher id) and commits. R's row is delivered at once (its xid is below xmin);
    /// T's row, though its id is lower, sorts after R's by txid and comes once T commits.
    @Test func txidColumnDeliversALowerIDWithAYoungerTransaction() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(.txidColumn("txid"))
        let r = try database.writer()
        let t = try database.writer()
        try r.execute("BEGIN; SELECT pg_current_xact_id()")
        try t.execute("BEGIN; INSERT INTO events (message) VALUES ('t')")
        try r.execute("INSERT INTO events (message) VALUES ('r'); COMMIT")
        var cursor = PostgresCursor.start
        #expect(try drain(reader, from: &cursor) == ["r"])
        try t.execute("COMMIT")
        #expect(try drain(reader, from: &cursor) == ["t"])
        let ids = try database.writer().execute("SELECT id FROM events ORDER BY txid").map { $0[0]! }
        #expect(ids == ["2", "1"], "T's row has the lower id and the younger transaction")
    }

    /// Scenario 3: a rolled-back insert leaves an id that never appears; reading goes past it.
    @Test(arguments: [PostgresKeysetRule.txidColumn("txid"), .lockBarrier(sequence: nil), .unsafeIDOrder])
    func aRolledBackInsertLeavesAGapThatDoesNotStallReading(rule: PostgresKeysetRule) throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(rule)
        let a = try database.writer()
        let b = try database.writer()
        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('gone')")
        try b.execute("INSERT INTO events (message) VALUES ('b')")
        try a.execute("ROLLBACK")
        try b.execute("INSERT INTO events (message) VALUES ('c')")
        var cursor = PostgresCursor.start
        #expect(try drain(reader, from: &cursor, max: 1) == ["b", "c"])
        #expect(cursor.id == 3)
        try b.execute("INSERT INTO events (message) VALUES ('d')")
        #expect(try drain(reader, from: &cursor) == ["d"])
    }

    /// Many writers racing, some rolling back: whatever the interleaving, every committed row is
    /// read exactly once by the two safe rules.
    @Test(arguments: [PostgresKeysetRule.txidColumn("txid"), .lockBarrier(sequence: nil)])
    func concurrentWritersAreReadExactlyOnce(rule: PostgresKeysetRule) throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(rule, lockTimeout: 50)
        let writers = try (0..<3).map { _ in try database.writer() }
        var cursor = PostgresCursor.start
        var delivered: [String] = []
        var committed: Set<String> = []
        var random = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &random)
        var generator = SplitMix64(seed: seed)
        var open: [Int: [String]] = [:]
        for step in 0..<60 {
            let w = Int(generator.next() % 3)
            switch generator.next() % 4 {
            case 0, 1:
                if open[w] == nil { try writers[w].execute("BEGIN") }
                try writers[w].execute("INSERT INTO events (message) VALUES ('m\(step)')")
                open[w, default: []].append("m\(step)")
            case 2:
                if let rows = open.removeValue(forKey: w) {
                    try writers[w].execute("COMMIT")
                    committed.formUnion(rows)
                }
            default:
                if open.removeValue(forKey: w) != nil { try writers[w].execute("ROLLBACK") }
            }
            if step % 5 == 0 { delivered += try drain(reader, from: &cursor, max: 3) }
        }
        for (w, rows) in open {
            try writers[w].execute("COMMIT")
            committed.formUnion(rows)
        }
        delivered += try drain(reader, from: &cursor, max: 3)
        #expect(delivered.count == Set(delivered).count, "no row twice (seed \(seed))")
        #expect(Set(delivered) == committed, "every committed row, nothing else (seed \(seed))")
    }

    /// A one-shot run reads up to `highestCursor()` as it was when the run began, and no further.
    @Test(arguments: [PostgresKeysetRule.txidColumn("txid"), .lockBarrier(sequence: nil), .unsafeIDOrder])
    func aOneShotRunEndsAtTheHighestCursorItStartedWith(rule: PostgresKeysetRule) throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(rule)
        #expect(try reader.highestCursor() == nil)
        let writer = try database.writer()
        try writer.execute("INSERT INTO events (message) SELECT 'm' || n FROM generate_series(1, 5) n")
        let end = try #require(try reader.highestCursor())
        #expect(end.id == 5)
        try writer.execute("INSERT INTO events (message) VALUES ('later')")
        var batch = PostgresRowBatch()
        var cursor = PostgresCursor.start
        var messages: [String] = []
        repeat {
            try reader.read(after: cursor, through: end, max: 2, into: &batch)
            messages += (0..<batch.count).map { batch.value("message", row: $0)?.textValue?.string ?? "" }
            cursor = batch.resumeCursor
        } while !batch.reachedEnd
        #expect(messages == ["m1", "m2", "m3", "m4", "m5"])
        #expect(cursor == end)
    }

    /// Each row carries its cursor, so a checkpoint can stop after any of them.
    @Test func eachRowCarriesItsCursor() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let reader = try database.reader(.txidColumn("txid"), columns: nil)
        let writer = try database.writer()
        try writer.execute("INSERT INTO events (message) VALUES ('x'), ('y')")
        let txid = try #require(UInt64(try writer.scalar("SELECT txid FROM events LIMIT 1") ?? ""))
        var batch = PostgresRowBatch()
        try reader.read(after: .start, max: 10, into: &batch)
        #expect(batch.columnNames == ["id", "txid", "message"])
        #expect(batch.cursors == [PostgresCursor(txid: txid, id: 1), PostgresCursor(txid: txid, id: 2)])
        #expect(batch.row(1) == [.integer(2), .integer(Int64(txid)), .text("y")])
        #expect(PostgresCursor(batch.resumeCursor.description) == batch.resumeCursor)
    }
}

/// A small seeded generator, so a failing interleaving can be replayed from its printed seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
