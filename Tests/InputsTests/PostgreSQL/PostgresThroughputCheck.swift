import CPostgres
import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

/// Rows per second through the reader, run by hand (not a timed test, and skipped unless asked):
///
///     SIEM_POSTGRES_THROUGHPUT=1000000 swift test --skip-build --filter PostgresThroughputCheck
///
/// Loads that many event-like rows, reads them all with each safe rule and from a logical
/// replication slot (one transaction: the first row waits for decoding all), and also times libpq
/// fetching the same batches in text and in binary format without the reader, which is how the
/// text format was chosen (docs: /work/notes/postgres-client.md).
@Suite struct PostgresThroughputCheck {
    static let rows = Int(ProcessInfo.processInfo.environment["SIEM_POSTGRES_THROUGHPUT"] ?? "") ?? 0

    @Test(.enabled(if: rows > 0)) func readerThroughput() throws {
        let database = try PostgresTestDatabase(on: .shared("throughput"), table: false)
        let writer = try database.writer()
        try writer.execute(
            """
            CREATE TABLE events (
                id bigserial PRIMARY KEY, txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                at timestamptz NOT NULL, kind text NOT NULL, actor text, source_ip inet, detail jsonb, score float8
            );
            CREATE PUBLICATION siem_events FOR TABLE events
            """)
        try writer.execute("SELECT pg_create_logical_replication_slot('throughput', 'pgoutput')")
        var started = Date()
        try writer.execute(
            """
            INSERT INTO events (at, kind, actor, source_ip, detail, score)
            SELECT timestamptz '2024-01-01' + n * interval '1 second', 'token.read', 'user-' || (n % 977),
                   ('10.0.' || (n % 250) || '.' || (n % 200))::inet,
                   jsonb_build_object('file', 'report-' || n || '.pdf', 'bytes', n * 7), n / 3.0
            FROM generate_series(1, \(Self.rows)) n;
            CREATE INDEX events_txid_id ON events (txid, id);
            """)
        try writer.execute("VACUUM ANALYZE events")
        print("loaded \(Self.rows) rows in \(seconds(since: started)) s")
        for rule in [PostgresKeysetRule.txidColumn("txid"), .lockBarrier(sequence: nil)] {
            let reader = try PostgresKeysetReader(connection: database.connect(), table: "events", rule: rule)
            var batch = PostgresRowBatch()
            var cursor = PostgresCursor.start
            var count = 0
            started = Date()
            repeat {
                try reader.read(after: cursor, max: 5_000, into: &batch)
                count += batch.count
                cursor = batch.resumeCursor
            } while !batch.reachedEnd
            let elapsed = seconds(since: started)
            #expect(count == Self.rows)
            print("\(rule): \(count) rows in \(elapsed) s = \(Int(Double(count) / elapsed)) rows/s")
        }
        let stream = try PostgresChangeStream(
            options: database.options, slot: "throughput", publication: "siem_events", table: "events")
        var changes = PostgresChangeBatch()
        var streamed = 0
        started = Date()
        while streamed < Self.rows {
            try stream.read(max: 5_000, waitMilliseconds: 30_000, into: &changes)
            guard !changes.isEmpty else { break }
            streamed += changes.count
        }
        let streamSeconds = seconds(since: started)
        #expect(streamed == Self.rows)
        print("change stream: \(streamed) rows in \(streamSeconds) s = \(Int(Double(streamed) / streamSeconds)) rows/s")
        for format in [0, 1] {
            started = Date()
            let count = try fetchRaw(database: database, format: Int32(format))
            let elapsed = seconds(since: started)
            print("libpq alone, \(format == 0 ? "text" : "binary") format: \(Int(Double(count) / elapsed)) rows/s")
        }
    }

    /// Fetches every row in keyset batches of 5,000 straight through libpq, touching each value
    /// (an integer parsed or byte-swapped, text lengths summed), to compare the wire formats.
    private func fetchRaw(database: PostgresTestDatabase, format: Int32) throws -> Int {
        let conninfo =
            "host=\(database.server.socketDirectory) port=\(database.server.port) dbname=\(database.name) "
            + "user=\(database.server.user)"
        let connection = PQconnectdb(conninfo)
        defer { PQfinish(connection) }
        let sql =
            "SELECT id, txid, at, kind, actor, source_ip, detail, score FROM events WHERE id > $1::int8 "
            + "ORDER BY id LIMIT 5000"
        var last: Int64 = 0
        var count = 0
        var checksum = 0
        while true {
            let parameter = strdup(String(last))
            defer { free(parameter) }
            let result = [UnsafePointer(parameter)].withUnsafeBufferPointer {
                PQexecParams(connection, sql, 1, nil, $0.baseAddress, nil, nil, format)
            }
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_TUPLES_OK else {
                throw PostgresTestServer.Failure(message: String(cString: PQresultErrorMessage(result)))
            }
            let rows = PQntuples(result)
            if rows == 0 { break }
            for row in 0..<rows {
                for column in Int32(1)..<8 { checksum &+= Int(PQgetlength(result, row, column)) }
                let value = PQgetvalue(result, row, 0)!
                if format == 0 {
                    last = Int64(strtoll(value, nil, 10))
                } else {
                    last = UnsafeRawPointer(value).loadUnaligned(as: Int64.self).bigEndian
                }
            }
            count += Int(rows)
        }
        #expect(checksum > 0)
        return count
    }

    private func seconds(since start: Date) -> Double {
        (Date().timeIntervalSince(start) * 100).rounded() / 100
    }
}
