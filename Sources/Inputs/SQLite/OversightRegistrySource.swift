import GRDBSQLite
import SIEMCore

/// Reads the beacon registry's `events` table, read-only, in bounded batches by `id`.
public final class OversightRegistrySource: EventSource {
    public static let id = "oversight_registry"
    public static let summary = "Beacon registry SQLite `events` table, opened read-only (mode=ro, query_only)"

    public struct Options: PluginOptions {
        public var path = ""
        public var busyTimeoutMS = 5_000

        public static let specs: [OptionSpec<Options>] = [
            .init("path", \.path, help: "registry SQLite file (relative to the config file)", required: true),
            .init(
                "busy_timeout_ms", \.busyTimeoutMS, help: "how long a read waits on a writer's lock before failing",
                range: 0...600_000),
        ]

        public init() {}
    }

    /// The columns we read, in `SourceRow` order. Only `id`, `kind` and `timestamp` must exist;
    /// older registries without the others read them as NULL.
    static let columns = [
        "id", "token_id", "file_id", "recipient_id", "issuer_id", "kind", "source_ip", "user_agent", "extra",
        "timestamp", "qualified_timestamp", "tlog_index",
    ]
    static let requiredColumns: Set<String> = ["id", "kind", "timestamp"]

    public let identity: String
    let connection: SQLiteReadOnlyConnection
    let selectList: String
    /// The file opened (device, inode), to notice it being replaced.
    let openedFile: [UInt64]?

    public init(options: Options, context: PluginContext) throws {
        let path = context.resolve(path: options.path)
        identity = path
        connection = try SQLiteReadOnlyConnection(
            path: path, busyTimeoutMilliseconds: Int32(options.busyTimeoutMS))
        let present = try Self.columnNames(of: connection)
        guard !present.isEmpty else {
            throw SIEMError.source(path: path, message: "no `events` table (is this a beacon registry?)")
        }
        let missing = Self.requiredColumns.subtracting(present)
        guard missing.isEmpty else {
            throw SIEMError.source(
                path: path, message: "`events` table lacks column(s) \(missing.sorted().joined(separator: ", "))")
        }
        selectList = Self.columns.map { present.contains($0) ? "\"\($0)\"" : "NULL" }.joined(separator: ", ")
        openedFile = FileProbe.fileID(path)
    }

    public func verifyUnchanged() throws {
        let now = FileProbe.fileID(identity)
        guard now == openedFile else {
            throw SIEMError.source(
                path: identity,
                message: now == nil
                    ? "the database file was removed while running"
                    : "the database file was replaced while running (another file now has its name); restart to read it"
            )
        }
    }

    static func columnNames(of connection: SQLiteReadOnlyConnection) throws -> Set<String> {
        let statement = try connection.prepare("PRAGMA table_info(events)")
        defer { sqlite3_finalize(statement) }
        var names: Set<String> = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw connection.error(status, doing: "PRAGMA table_info(events)") }
            names.insert(String(cString: sqlite3_column_text(statement, 1)).lowercased())
        }
        return names
    }

    public func highestID() throws -> Int64? {
        let statement = try connection.prepare("SELECT max(id) FROM events")
        defer { sqlite3_finalize(statement) }
        let status = sqlite3_step(statement)
        guard status == SQLITE_ROW else { throw connection.error(status, doing: "SELECT max(id) FROM events") }
        return sqlite3_column_type(statement, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, 0)
    }

    public func open(_ query: SourceQuery) throws -> any RowReader {
        var sql = "SELECT \(selectList) FROM events WHERE id > ?1 AND id <= ?2"
        if query.sinceUnix != nil { sql += " AND timestamp >= ?3" }
        switch query.order {
        case .id: sql += " ORDER BY id LIMIT ?4"
        case .timestamp: sql += " ORDER BY timestamp, id"
        }
        let statement = try connection.prepare(sql)
        return RegistryRowReader(connection: connection, statement: statement, query: query, sql: sql)
    }
}
