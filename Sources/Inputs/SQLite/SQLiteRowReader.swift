import GRDBSQLite
import SIEMCore

/// Steps one prepared `SELECT` (the cursor column, then the mapper's columns) and appends each
/// row to a `RowBatch`.
///
/// In `id` order every batch is its own short read (keyset on the last id seen), so a writer is
/// never held up for long. In `timestamp` order the one sorted statement is stepped across
/// batches: a single read snapshot, which in WAL mode does not block the registry's writes.
final class SQLiteRowReader: RowReader {
    private let connection: SQLiteReadOnlyConnection
    private var statement: OpaquePointer?
    private let query: SourceQuery
    private let sql: String
    let columns: [String]
    private var lastID: Int64
    private var started = false

    init(
        connection: SQLiteReadOnlyConnection, statement: OpaquePointer, query: SourceQuery, sql: String,
        columns: [String]
    ) {
        self.connection = connection
        self.statement = statement
        self.query = query
        self.sql = sql
        self.columns = columns
        self.lastID = query.after.id
    }

    deinit { sqlite3_finalize(statement) }

    func next(into batch: inout RowBatch, max: Int) throws {
        batch.removeAll()
        guard let statement else { return }
        if query.order == .id || !started {
            sqlite3_reset(statement)
            sqlite3_bind_int64(statement, 1, query.order == .id ? lastID : query.after.id)
            sqlite3_bind_int64(statement, 2, query.through?.id ?? Int64.max)
            if let since = query.sinceUnix { sqlite3_bind_int64(statement, 3, since) }
            if query.order == .id { sqlite3_bind_int64(statement, 4, Int64(max)) }
            started = true
        }
        while batch.count < max {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE {
                if query.order == .timestamp {
                    sqlite3_finalize(statement)
                    self.statement = nil
                }
                break
            }
            guard status == SQLITE_ROW else { throw connection.error(status, doing: sql) }
            batch.beginRow(id: sqlite3_column_int64(statement, 0))
            let count = Int32(columns.count)
            var column: Int32 = 1
            while column <= count {
                Self.append(statement, column, to: &batch)
                column += 1
            }
        }
        if let last = batch.ids.last { lastID = last }
        if query.order == .id { sqlite3_reset(statement) }
    }

    /// Reads a column as stored; text goes into the batch's arena. Text keeps embedded NULs
    /// (`column_bytes`), and invalid UTF-8 is repaired to U+FFFD rather than dropping the row.
    @inline(__always)
    private static func append(_ s: OpaquePointer, _ column: Int32, to batch: inout RowBatch) {
        switch sqlite3_column_type(s, column) {
        case SQLITE_INTEGER:
            batch.append(.integer(sqlite3_column_int64(s, column)))
        case SQLITE_FLOAT:
            batch.append(.real(sqlite3_column_double(s, column)))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(s, column) else {
                batch.appendText(utf8: .init(start: nil, count: 0))
                return
            }
            let count = Int(sqlite3_column_bytes(s, column))
            batch.appendText(utf8: UnsafeBufferPointer(start: text, count: count))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(s, column))
            guard count > 0, let blob = sqlite3_column_blob(s, column) else { return batch.append(.blob([])) }
            batch.append(.blob(Array(UnsafeRawBufferPointer(start: blob, count: count))))
        default:
            batch.append(.null)
        }
    }
}
