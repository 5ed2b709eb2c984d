import GRDBSQLite
import SIEMCore

/// Any SQLite table (or a `SELECT` over a view) with an integer column that only grows, read
/// read-only beside the application writing it, in short keyset reads on that column.
public final class SQLiteTableSource: EventSource {
    public static let id = "sqlite_table"
    public static let summary =
        "Any SQLite table or SELECT, read-only (mode=ro, query_only), keyset on an integer cursor column"

    public struct Options: PluginOptions {
        public var path = ""
        public var table: String?
        public var query: String?
        public var cursor = ""
        public var timeColumn: String?
        public var busyTimeoutMS = 5_000

        public static let specs: [OptionSpec<Options>] = [
            .init("path", \.path, help: "SQLite file (relative to the config file), opened read-only", required: true),
            .init("table", \.table, help: "the table to read (or `query:`)"),
            .init(
                "query", \.query,
                help:
                    "instead of `table:`, a SELECT (over a view, a join) whose rows are read; it must return the cursor column"
            ),
            .init(
                "cursor", \.cursor,
                help: "integer column that only grows (AUTOINCREMENT, a sequence): the checkpoint", required: true),
            .init(
                "time_column", \.timeColumn,
                help: "the column `export --since` filters on and `--order timestamp` sorts by"),
            .init(
                "busy_timeout_ms", \.busyTimeoutMS, help: "how long a read waits on a writer's lock before failing",
                range: 0...600_000),
        ]

        public init() {}

        public func validateCombination() throws {
            if (table == nil) == (query == nil) {
                throw SIEMError.invalidOption(key: "table", message: "give exactly one of `table:` and `query:`")
            }
            if let query, !query.trimmingASCIIWhitespace().lowercased().hasPrefix("select") {
                throw SIEMError.invalidOption(key: "query", message: "must be a SELECT")
            }
        }
    }

    public let identity: String
    let connection: SQLiteReadOnlyConnection
    /// What rows are read from: a quoted table name, or `(<query>)`.
    let relation: String
    /// Its name for messages: `table audit_log` or `query`.
    let relationName: String
    let cursorColumn: String
    let timeColumn: String?
    let present: [String]
    /// The file opened (device, inode), to notice it being replaced.
    let openedFile: [UInt64]?

    public convenience init(options: Options, context: PluginContext) throws {
        try self.init(
            path: context.resolve(path: options.path), table: options.table, query: options.query,
            cursor: options.cursor, timeColumn: options.timeColumn, busyTimeoutMS: options.busyTimeoutMS)
    }

    /// `required` columns are checked before anything else (a preset's schema: the registry's).
    init(
        path: String, table: String?, query: String?, cursor: String, timeColumn: String?, busyTimeoutMS: Int,
        required: [String] = []
    ) throws {
        let connection = try SQLiteReadOnlyConnection(path: path, busyTimeoutMilliseconds: Int32(busyTimeoutMS))
        // Everything is checked before a stored property is set: a class init that throws half-way
        // through leaves a partly built object for the runtime to tear down (and crashed the unwinder
        // of the test runner's error backtraces).
        let shape = try Self.shape(
            on: connection, path: path, table: table, query: query, cursor: cursor, timeColumn: timeColumn,
            required: required)
        self.connection = connection
        identity = path + (table.map { "#\($0)" } ?? "#query")
        relation = shape.relation
        relationName = shape.relationName
        present = shape.present
        cursorColumn = shape.cursorColumn
        self.timeColumn = timeColumn
        openedFile = FileProbe.fileID(path)
    }

    private struct Shape {
        var relation: String
        var relationName: String
        var present: [String]
        var cursorColumn: String
    }

    private static func shape(
        on connection: SQLiteReadOnlyConnection, path: String, table: String?, query: String?, cursor: String,
        timeColumn: String?, required: [String]
    ) throws -> Shape {
        let relation = table.map(quoted) ?? "(\(query ?? ""))"
        let relationName = table.map { "table \($0)" } ?? "query"
        let columns = try Self.columns(of: relation, table: table, on: connection)
        guard !columns.isEmpty else {
            throw SIEMError.source(path: path, message: "no \(relationName) (or it has no columns)")
        }
        let present = columns.map(\.name)
        let lowered = Set(present.map { $0.lowercased() })
        let missing = required.filter { !lowered.contains($0.lowercased()) }
        guard missing.isEmpty else {
            throw SIEMError.source(
                path: path, message: "\(relationName) lacks column(s) \(missing.sorted().joined(separator: ", "))")
        }
        guard let cursorInfo = columns.first(where: { $0.name.lowercased() == cursor.lowercased() }) else {
            throw SIEMError.source(
                path: path,
                message: "\(relationName) has no cursor column '\(cursor)'"
                    + Suggestion.hint(for: cursor, in: present))
        }
        // SQLite's affinity rule: a declared type containing "INT" is INTEGER (sqlite.org/datatype3.html §3.1).
        if let declared = cursorInfo.declaredType, !declared.uppercased().contains("INT") {
            throw SIEMError.source(
                path: path,
                message:
                    "cursor column '\(cursor)' is declared \(declared), not an integer: the checkpoint needs an integer that only grows"
            )
        }
        if let timeColumn, !lowered.contains(timeColumn.lowercased()) {
            throw SIEMError.source(
                path: path,
                message: "\(relationName) has no time column '\(timeColumn)'"
                    + Suggestion.hint(for: timeColumn, in: present))
        }
        return Shape(relation: relation, relationName: relationName, present: present, cursorColumn: cursorInfo.name)
    }

    public func availableColumns() throws -> [String]? { present }

    public func verifyUnchanged() throws {
        let now = FileProbe.fileID(connection.path)
        guard now == openedFile else {
            throw SIEMError.source(
                path: connection.path,
                message: now == nil
                    ? "the database file was removed while running"
                    : "the database file was replaced while running (another file now has its name); restart to read it"
            )
        }
    }

    public func endPosition() throws -> SourcePosition? {
        let sql = "SELECT max(\(Self.quoted(cursorColumn))) FROM \(relation)"
        let statement = try connection.prepare(sql)
        defer { sqlite3_finalize(statement) }
        let status = sqlite3_step(statement)
        guard status == SQLITE_ROW else { throw connection.error(status, doing: sql) }
        return sqlite3_column_type(statement, 0) == SQLITE_NULL
            ? nil : SourcePosition(id: sqlite3_column_int64(statement, 0))
    }

    public func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader {
        var select: [String] = []
        for column in columns {
            if let name = present.first(where: { $0.lowercased() == column.name.lowercased() }) {
                select.append(Self.quoted(name))
            } else if column.isRequired {
                throw SIEMError.source(
                    path: connection.path,
                    message: "\(relationName) lacks column '\(column.name)'"
                        + (column.configPath.map { " (named by the mapper's \($0))" } ?? "")
                        + Suggestion.hint(for: column.name, in: present))
            } else {
                select.append("NULL")
            }
        }
        let cursor = Self.quoted(cursorColumn)
        var sql =
            "SELECT \(([cursor] + select).joined(separator: ", ")) FROM \(relation) WHERE \(cursor) > ?1 AND \(cursor) <= ?2"
        if query.sinceUnix != nil, let timeColumn { sql += " AND \(Self.quoted(timeColumn)) >= ?3" }
        switch query.order {
        case .id:
            sql += " ORDER BY \(cursor) LIMIT ?4"
        case .timestamp:
            sql += " ORDER BY \(timeColumn.map(Self.quoted) ?? cursor), \(cursor)"
        }
        let statement = try connection.prepare(sql)
        return SQLiteRowReader(
            connection: connection, statement: statement, query: query, sql: sql, columns: columns.map(\.name))
    }

    /// A table's columns and their declared types, or a query's (types then unknown).
    static func columns(
        of relation: String, table: String?, on connection: SQLiteReadOnlyConnection
    ) throws
        -> [(name: String, declaredType: String?)]
    {
        let sql = table.map { "PRAGMA table_info(\(quoted($0)))" } ?? "SELECT * FROM \(relation) LIMIT 0"
        let statement = try connection.prepare(sql)
        defer { sqlite3_finalize(statement) }
        guard table != nil else {
            return (0..<sqlite3_column_count(statement)).map { i in
                (
                    String(cString: sqlite3_column_name(statement, i)),
                    sqlite3_column_decltype(statement, i).map { String(cString: $0) }
                )
            }
        }
        var columns: [(String, String?)] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw connection.error(status, doing: sql) }
            let type = sqlite3_column_text(statement, 2).map { String(cString: $0) }
            columns.append((String(cString: sqlite3_column_text(statement, 1)), type?.isEmpty == true ? nil : type))
        }
        return columns
    }

    /// An SQL identifier in double quotes, quotes doubled (sqlite.org/lang_keywords.html).
    static func quoted(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
