import GRDBSQLite
import SIEMCore

/// A read-only SQLite connection on the C API, for the export's hot path.
///
/// Opened with the URI `mode=ro` and `PRAGMA query_only`, so it can never take a write lock or
/// change the registry it runs beside. We step statements ourselves (GRDB's own queue would hold
/// a closure across our async sends) and read columns straight from SQLite's buffers.
final class SQLiteReadOnlyConnection {
    let path: String
    private(set) var handle: OpaquePointer?

    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        self.path = path
        var isDirectory = false
        guard FileProbe.exists(path, isDirectory: &isDirectory) else {
            throw SIEMError.source(path: path, message: "database file not found")
        }
        guard !isDirectory else { throw SIEMError.source(path: path, message: "is a directory, not a database file") }
        guard FileProbe.isReadable(path) else {
            throw SIEMError.source(path: path, message: "database file is not readable (permission denied)")
        }
        let uri = "file:" + Self.uriEscape(path) + "?mode=ro"
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(uri, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            handle = nil
            throw SIEMError.source(path: path, message: "cannot open database: \(message)")
        }
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        try execute("PRAGMA query_only = 1")
    }

    deinit { sqlite3_close_v2(handle) }

    func execute(_ sql: String) throws {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(status, doing: sql) }
    }

    func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, doing: sql) }
        return statement
    }

    /// A clear message for a failed call; "file is not a database" is SQLite's own words for junk.
    func error(_ status: Int32, doing what: String) -> SIEMError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "error \(status)"
        let short = what.split(separator: " ").prefix(3).joined(separator: " ")
        if status & 0xFF == SQLITE_BUSY || status & 0xFF == SQLITE_LOCKED {
            // A writer held its lock past busy_timeout_ms: worth trying again later (exit 75),
            // which `run --follow` does from its checkpoint.
            return SIEMError.locked(
                path: path, message: "\(message): a writer held the database past busy_timeout_ms; try again later")
        }
        if status & 0xFF == SQLITE_NOTADB {
            // Junk, an encrypted database or another kind of file: nothing about the statement helps.
            return SIEMError.source(path: path, message: "not an SQLite database")
        }
        return SIEMError.source(path: path, message: "\(message) (SQLite code \(status), during \(short) …)")
    }

    /// Percent-encodes what would end or change a `file:` URI's path (`%`, `?`, `#`) and non-ASCII.
    static func uriEscape(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            if byte >= 0x80 || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }
}
