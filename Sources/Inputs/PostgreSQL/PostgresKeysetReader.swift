import SIEMCore

/// Reads a PostgreSQL table in batches of at most N rows after a cursor, each batch in its own
/// short read-only transaction, by keyset (`WHERE key > cursor … ORDER BY key LIMIT n`, never
/// `OFFSET`), with a `PostgresKeysetRule` that keeps rows whose ids commit out of order from
/// being skipped.
///
/// The reader holds no cursor of its own: each read takes the cursor to resume from (the
/// checkpoint), so a failed read is simply repeated, after `connection.reconnect()` when the
/// error is retryable. Only `lockBarrier` remembers one fact across reads, the highest id whose
/// transactions are known to have ended, which a reconnect does not change.
public final class PostgresKeysetReader {
    public let connection: PostgresConnection
    public let schema: PostgresTableSchema
    public let rule: PostgresKeysetRule
    public let idColumn: String
    /// The columns each row carries, in order.
    public let columns: [String]
    /// `lockBarrier`: how long the barrier waits for the table's writers before giving up until
    /// the next read. While it waits, new writers queue behind it (PostgreSQL grants locks in
    /// order), so this is also the longest an `INSERT` is held up.
    public let barrierLockTimeoutMilliseconds: Int

    /// `lockBarrier`: the sequence, as `regclass` text (quoted where needed).
    private let sequence: String?
    /// `lockBarrier`: every id up to this one is committed or will never exist.
    private var settledThrough: Int64?
    private let selectSQL: String
    /// Columns before the row's values: the cursor's (`txid`, `id`, or `id`).
    private let cursorColumnCount: Int
    private var arenaSize = 64 * 1024

    /// Checks the table, the columns and the rule against the catalog; errors name what is
    /// wrong (`.source` for a missing table or column, `.config` for a rule that cannot work).
    /// - Parameters:
    ///   - table: SQL syntax, resolved on the session's search path: `events`, `audit.events`.
    ///   - columns: the columns to read, nil for all in table order.
    public init(
        connection: PostgresConnection, table: String, idColumn: String = "id", columns: [String]? = nil,
        rule: PostgresKeysetRule, barrierLockTimeoutMilliseconds: Int = 1_000
    ) throws {
        self.connection = connection
        self.rule = rule
        self.idColumn = idColumn
        self.barrierLockTimeoutMilliseconds = barrierLockTimeoutMilliseconds
        let schema = try PostgresTableSchema.load(table, from: connection)
        self.schema = schema
        try schema.requireCursorColumn(idColumn)
        let columns = columns ?? schema.columns.map(\.name)
        try schema.requireColumns(columns)
        self.columns = columns
        let table = schema.table.quoted
        let id = PostgresTableName.quote(idColumn)
        let values = columns.map { ", " + PostgresTableName.quote($0) }.joined()
        switch rule {
        case .txidColumn(let txidColumn):
            try schema.requireTxidColumn(txidColumn)
            let txid = PostgresTableName.quote(txidColumn)
            sequence = nil
            cursorColumnCount = 2
            // A snapshot's xmin is the lowest transaction id still active when it was taken:
            // every lower id belongs to a transaction that committed (and is visible) or rolled
            // back (PostgreSQL 15 docs, 9.26 System Information Functions, "Transaction ID and
            // Snapshot Information Functions" and "Snapshot Components"). A transaction's xid8 is
            // assigned before it writes its first row and never reused (pg_current_xact_id), so
            // every row still to come has a txid >= xmin. Reading (txid, id) > cursor in that
            // order, below xmin, therefore never passes a row that could still appear, whatever
            // order the ids committed in. On a hot standby the snapshot is the standby's, built
            // from replayed WAL, with the same meaning; only its xmin is used here.
            selectSQL = """
                SELECT \(txid), \(id)\(values) FROM \(table)
                WHERE (\(txid), \(id)) > ($1::xid8, $2::int8) AND (\(txid), \(id)) <= ($3::xid8, $4::int8)
                  AND \(txid) < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY \(txid), \(id) LIMIT $5::int8
                """
        case .lockBarrier(let named):
            if try connection.isInRecovery() {
                // "LOCK TABLE that explicitly requests a mode higher than ROW EXCLUSIVE MODE" is
                // among the commands a hot standby refuses (PostgreSQL 15 docs, 27.4.1 Hot Standby,
                // User's Overview: https://www.postgresql.org/docs/15/hot-standby.html).
                throw SIEMError.config(
                    location: connection.target,
                    message: "the lockBarrier rule needs LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE, which a hot "
                        + "standby refuses; read the primary, or use the txidColumn rule (it works on a standby)")
            }
            sequence = try Self.checkedSequence(named, table: schema, idColumn: idColumn, connection: connection)
            cursorColumnCount = 1
            selectSQL = """
                SELECT \(id)\(values) FROM \(table)
                WHERE \(id) > $1::int8 AND \(id) <= $2::int8 ORDER BY \(id) LIMIT $3::int8
                """
        case .unsafeIDOrder:
            sequence = nil
            cursorColumnCount = 1
            selectSQL = """
                SELECT \(id)\(values) FROM \(table)
                WHERE \(id) > $1::int8 AND \(id) <= $2::int8 ORDER BY \(id) LIMIT $3::int8
                """
        }
    }

    /// The cursor of the last row a read would return now: where a one-shot run ends (pass it
    /// as `through`, and stop once `resumeCursor` reaches it). Nil when there is nothing to read.
    /// With `lockBarrier` a read before the end can come back empty with `waitedOnWriter`: the
    /// ids up to the end are handed out but not yet all committed, so the run reads again.
    ///
    /// `txidColumn`: the last row below the snapshot's `xmin`. `lockBarrier`: the sequence's
    /// last value (ids up to it are read once their writers end). `unsafeIDOrder`: `max(id)`.
    public func highestCursor() throws -> PostgresCursor? {
        switch rule {
        case .txidColumn(let txidColumn):
            let txid = PostgresTableName.quote(txidColumn)
            let id = PostgresTableName.quote(idColumn)
            let result = try connection.inReadOnlyTransaction {
                try connection.execute(
                    """
                    SELECT \(txid), \(id) FROM \(schema.table.quoted)
                    WHERE \(txid) < pg_snapshot_xmin(pg_current_snapshot())
                    ORDER BY \(txid) DESC, \(id) DESC LIMIT 1
                    """)
            }
            guard result.rowCount == 1, let txid = UInt64(result.string(0, 0) ?? ""),
                let id = Int64(result.string(0, 1) ?? "")
            else { return nil }
            return PostgresCursor(txid: txid, id: id)
        case .lockBarrier:
            return try sequenceLastValue().map { PostgresCursor(id: $0) }
        case .unsafeIDOrder:
            let result = try connection.execute(
                "SELECT max(\(PostgresTableName.quote(idColumn))) FROM \(schema.table.quoted)")
            return Int64(result.string(0, 0) ?? "").map { PostgresCursor(id: $0) }
        }
    }

    /// Replaces `batch` with up to `max` rows after `cursor` (and not after `end`, when given).
    public func read(
        after cursor: PostgresCursor, through end: PostgresCursor? = nil, max: Int, into batch: inout PostgresRowBatch
    ) throws {
        precondition(max > 0, "a batch holds at least one row")
        batch.reset(columns: columns, from: cursor)
        if let end, end <= cursor { return }
        switch rule {
        case .txidColumn:
            let last = end ?? PostgresCursor(txid: .max, id: .max)
            try select(
                [String(cursor.txid), String(cursor.id), String(last.txid), String(last.id), String(max)], max: max,
                into: &batch)
        case .unsafeIDOrder:
            try select([String(cursor.id), String(end?.id ?? .max), String(max)], max: max, into: &batch)
        case .lockBarrier:
            if (settledThrough ?? .min) <= cursor.id {
                switch try barrier() {
                case .settled(let through): settledThrough = through
                case .noIDsYet: return
                case .writerBusy:
                    batch.waitedOnWriter = true
                    if (settledThrough ?? .min) <= cursor.id { return }
                }
            }
            var upper = settledThrough!
            if let end { upper = Swift.min(upper, end.id) }
            guard upper > cursor.id else { return }
            try select([String(cursor.id), String(upper), String(max)], max: max, into: &batch)
            // Every id in (cursor, upper] was read in one snapshot taken after the barrier, so the
            // gaps in that range (rolled-back ids) are final: the next read starts after upper.
            if batch.reachedEnd { batch.resumeCursor = PostgresCursor(id: upper) }
        }
    }

    private func select(_ parameters: [String], max: Int, into batch: inout PostgresRowBatch) throws {
        let result = try connection.inReadOnlyTransaction {
            try connection.execute(selectSQL, parameters: parameters)
        }
        let rows = result.rowCount
        let width = columns.count
        let arena = TextArena(capacity: arenaSize)
        defer { arenaSize = Swift.max(arena.byteCount + arena.byteCount / 8, 4_096) }
        let kinds = (0..<width).map { PostgresValueKind(typeOID: result.typeOID(cursorColumnCount + $0)) }
        batch.values.reserveCapacity(rows * width)
        batch.cursors.reserveCapacity(rows)
        for row in 0..<rows {
            let cursor = try rowCursor(result, row)
            for column in 0..<width {
                batch.values.append(
                    try PostgresValueDecoder.value(
                        result, row: row, column: cursorColumnCount + column, kind: kinds[column], arena: arena,
                        rowID: cursor.id))
            }
            batch.cursors.append(cursor)
        }
        if let last = batch.cursors.last { batch.resumeCursor = last }
        batch.reachedEnd = rows < max
    }

    @inline(__always)
    private func rowCursor(_ result: PostgresResult, _ row: Int) throws -> PostgresCursor {
        let idColumnIndex = cursorColumnCount - 1
        guard let id = PostgresValueDecoder.parseInteger(result.bytes(row, idColumnIndex)) else {
            throw SIEMError.source(path: connection.target, message: "a row of \(schema.table) has a NULL \(idColumn)")
        }
        guard cursorColumnCount == 2 else { return PostgresCursor(id: id) }
        guard let txid = PostgresValueDecoder.parseUnsigned(result.bytes(row, 0)) else {
            throw SIEMError.badRow(id: id, message: "the txid column is NULL; it needs DEFAULT pg_current_xact_id()")
        }
        return PostgresCursor(txid: txid, id: id)
    }

    private enum BarrierOutcome {
        case settled(through: Int64)
        case noIDsYet
        case writerBusy
    }

    /// Reads the sequence's last value, then takes and at once releases SHARE ROW EXCLUSIVE on
    /// the table in a transaction of its own.
    ///
    /// Why that proves every id up to the value final: an `INSERT` holds ROW EXCLUSIVE on its
    /// table from before it evaluates `DEFAULT nextval()` until its transaction ends, and SHARE
    /// ROW EXCLUSIVE conflicts with ROW EXCLUSIVE (PostgreSQL 15 docs, 13.3.1 Table-Level Locks,
    /// Table 13.2), so the lock is granted only once every transaction that had taken an id by
    /// then has committed or rolled back. `nextval` is never rolled back (9.17 Sequence
    /// Manipulation Functions), so a rolled-back id stays a gap forever, and with `CACHE 1` no
    /// session holds ids it has not yet used (CREATE SEQUENCE, Notes). Lock modes:
    /// https://www.postgresql.org/docs/15/explicit-locking.html#LOCKING-TABLES.
    private func barrier() throws -> BarrierOutcome {
        guard let through = try sequenceLastValue() else { return .noIDsYet }
        let sql =
            "BEGIN READ ONLY; SET LOCAL lock_timeout = \(barrierLockTimeoutMilliseconds); "
            + "LOCK TABLE \(schema.table.quoted) IN SHARE ROW EXCLUSIVE MODE; COMMIT"
        switch connection.run(sql) {
        case .success:
            return .settled(through: through)
        case .failure(let failure):
            _ = connection.run("ROLLBACK")
            if failure.sqlState == "55P03" && !failure.connectionBroken { return .writerBusy }
            throw connection.error(for: failure)
        }
    }

    /// The last value the sequence handed out, nil if it never did. A sequence is read outside
    /// any snapshot: its value is current, not the transaction's.
    private func sequenceLastValue() throws -> Int64? {
        let result = try connection.execute("SELECT last_value, is_called FROM \(sequence!)")
        guard result.string(0, 1) == "t" else { return nil }
        return Int64(result.string(0, 0) ?? "")
    }

    /// The sequence that feeds the id column, checked: it exists, counts up, and caches one
    /// value per session (a larger cache hands out ids long after `last_value` passed them).
    private static func checkedSequence(
        _ named: String?, table: PostgresTableSchema, idColumn: String, connection: PostgresConnection
    ) throws -> String {
        let name: String
        if let named {
            name = named
        } else {
            let found = try connection.execute(
                "SELECT pg_get_serial_sequence($1, $2)", parameters: [table.table.quoted, idColumn])
            guard let serial = found.string(0, 0) else {
                throw SIEMError.config(
                    location: connection.target,
                    message: "column \(idColumn) of \(table.table) has no sequence of its own (serial or identity); "
                        + "name the sequence its DEFAULT nextval() uses")
            }
            name = serial
        }
        let described = try connection.execute(
            """
            SELECT s.seqrelid::regclass::text, s.seqcache, s.seqincrement
            FROM pg_sequence s WHERE s.seqrelid = to_regclass($1)
            """, parameters: [name])
        guard described.rowCount == 1, let regclass = described.string(0, 0) else {
            throw SIEMError.source(path: connection.target, message: "sequence \(name) does not exist")
        }
        let cache = Int(described.string(0, 1) ?? "") ?? 0
        guard cache == 1 else {
            throw SIEMError.config(
                location: connection.target,
                message: "sequence \(regclass) caches \(cache) values per session; the lockBarrier rule needs "
                    + "CACHE 1 (ALTER SEQUENCE \(regclass) CACHE 1)")
        }
        guard (Int(described.string(0, 2) ?? "") ?? 0) > 0 else {
            throw SIEMError.config(
                location: connection.target,
                message: "sequence \(regclass) counts down; the lockBarrier rule needs ids "
                    + "that grow")
        }
        return regclass
    }
}
