import Foundation
import SIEMCore

/// Any PostgreSQL table with an integer cursor column, read over libpq in short read-only
/// keyset batches (never `OFFSET`) under a `consistency:` rule that keeps rows whose ids commit
/// out of order from being skipped; on a primary or a hot standby.
///
/// Columns as `sqlite_table` reads them: what the mapper asks for, a required column the table
/// lacks refused with a did-you-mean, an optional one read as NULL. A server that goes away
/// (restart, failover, a dropped connection) is reconnected to with back-off and the read
/// repeated from the same cursor; after `reconnect_attempts` the read fails as retryable (exit 75,
/// or follow mode's own back-off), the checkpoint never past an undelivered row.
public final class PostgresTableSource: EventSource {
    public static let id = "postgres_table"
    public static let summary =
        "Any PostgreSQL table by an integer cursor, read-only batches over libpq; consistency: names the rule against out-of-order commits"

    public struct Options: PluginOptions {
        public var connection = PostgresConnectionKeys()
        public var table = ""
        public var cursor = ""
        public var consistency: PostgresConsistency?
        public var lockTimeoutMS = 1_000
        public var reconnectAttempts = 5

        public static let specs: [OptionSpec<Options>] =
            OptionSpec<Options>.group(\.connection) + [
                .init(
                    "table", \.table, help: "the table (or view) to read, in SQL syntax: events, audit.events",
                    required: true),
                .init(
                    "cursor", \.cursor,
                    help: "integer column that only grows (identity, serial, a sequence): the event id", required: true
                ),
                .init(
                    "consistency", \.consistency,
                    help:
                        "how no row is skipped when ids commit out of order: {txid_column: COLUMN} (an xid8 DEFAULT pg_current_xact_id()), lock_barrier (ids from DEFAULT nextval()), or unsafe_id_order (one writer at a time only)",
                    required: true),
                .init(
                    "lock_timeout_ms", \.lockTimeoutMS,
                    help:
                        "lock_barrier: longest the barrier waits for the table's writers (and holds new ones up) before trying again later",
                    range: 10...60_000),
                .init(
                    "reconnect_attempts", \.reconnectAttempts,
                    help: "reconnects (0.5 s, doubling to 30 s) after the server goes away, before a read fails",
                    range: 0...100),
            ]

        public init() {}
    }

    public let identity: String
    let connection: PostgresConnection
    let schema: PostgresTableSchema
    let cursorColumn: String
    let consistency: PostgresConsistency
    let lockTimeoutMS: Int
    let reconnectAttempts: Int
    let warn: @Sendable (String) -> Void
    /// One keyset reader per column list (a lock barrier's proven bound lives in its reader).
    private var readers: [[String]: PostgresKeysetReader] = [:]

    public convenience init(options: Options, context: PluginContext) throws {
        // Required, so decoded options always have one; options made in code must say it too.
        guard let consistency = options.consistency else {
            throw SIEMError.invalidOption(key: "consistency", message: "is required")
        }
        try self.init(
            connection: options.connection.connectionOptions(in: context), table: options.table,
            cursor: options.cursor, consistency: consistency,
            lockTimeoutMS: options.lockTimeoutMS, reconnectAttempts: options.reconnectAttempts, warn: context.warn)
        if case .unsafeIDOrder = consistency {
            context.warn(
                "source \(identity): consistency unsafe_id_order skips for good any row whose id commits after a higher one; use it only for a table one transaction at a time writes"
            )
        }
    }

    /// `required` columns are checked first, in the words of a preset that names them.
    init(
        connection options: PostgresConnectionOptions, table: String, cursor: String,
        consistency: PostgresConsistency, lockTimeoutMS: Int, reconnectAttempts: Int,
        warn: @escaping @Sendable (String) -> Void, required: [String] = []
    ) throws {
        // Everything is checked before a stored property is set (see SQLiteTableSource).
        let connection = try PostgresConnection(options)
        let reader = try PostgresKeysetReader(
            connection: connection, table: table, idColumn: cursor, columns: required,
            rule: consistency.rule, barrierLockTimeoutMilliseconds: lockTimeoutMS)
        if case .txidColumn(let column) = consistency {
            try PostgresColumnDefault.requireTransactionID(column, of: reader.schema, on: connection)
        }
        self.connection = connection
        schema = reader.schema
        cursorColumn = cursor
        self.consistency = consistency
        self.lockTimeoutMS = lockTimeoutMS
        self.reconnectAttempts = reconnectAttempts
        self.warn = warn
        identity = "postgresql://\(connection.target)/\(reader.schema.table)"
        readers[required] = reader
    }

    public func availableColumns() throws -> [String]? { schema.columns.map(\.name) }

    public func endPosition() throws -> SourcePosition? {
        let cursor = try reconnectingOnce { try self.reader(for: []).highestCursor() }
        return try cursor.map(position)
    }

    public func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader {
        guard query.order == .id, query.sinceUnix == nil else {
            throw SIEMError.source(
                path: connection.target,
                message: "postgres_table reads in cursor order only (no --since, no timestamp order)")
        }
        let present = schema.columns.map(\.name)
        var names: [String] = []
        var layout: [Int?] = []
        for column in columns {
            guard let name = Self.match(column.name, in: present) else {
                if column.isRequired {
                    throw SIEMError.source(
                        path: connection.target,
                        message: "table \(schema.table) lacks column '\(column.name)'"
                            + (column.configPath.map { " (named by the mapper's \($0))" } ?? "")
                            + (Suggestion.closest(to: column.name, in: present).map { " (did you mean '\($0)'?)" } ?? "")
                            + "; its columns: \(present.joined(separator: ", "))")
                }
                layout.append(nil)
                continue
            }
            if let index = names.firstIndex(of: name) {
                layout.append(index)
            } else {
                layout.append(names.count)
                names.append(name)
            }
        }
        let keysetReader = try reconnectingOnce { try self.reader(for: names) }
        return PostgresTableRowReader(
            source: self, reader: keysetReader, columns: columns.map(\.name), layout: layout,
            after: try cursor(query.after), through: try query.through.map(cursor))
    }

    /// The reader of `columns`, made (and its rule checked) on first use.
    func reader(for columns: [String]) throws -> PostgresKeysetReader {
        if let reader = readers[columns] { return reader }
        let reader = try PostgresKeysetReader(
            connection: connection, table: schema.table.quoted, idColumn: cursorColumn, columns: columns,
            rule: consistency.rule, barrierLockTimeoutMilliseconds: lockTimeoutMS)
        readers[columns] = reader
        return reader
    }

    /// A column by its exact name, else by the one that differs only in case.
    static func match(_ name: String, in present: [String]) -> String? {
        if present.contains(name) { return name }
        let folded = present.filter { $0.lowercased() == name.lowercased() }
        return folded.count == 1 ? folded[0] : nil
    }

    func position(_ cursor: PostgresCursor) throws -> SourcePosition {
        guard let epoch = Int64(exactly: cursor.txid) else {
            throw SIEMError.source(
                path: connection.target, message: "transaction id \(cursor.txid) is beyond what a checkpoint holds")
        }
        return SourcePosition(epoch: epoch, id: cursor.id)
    }

    func cursor(_ position: SourcePosition) throws -> PostgresCursor {
        guard position.epoch >= 0 else {
            throw SIEMError.checkpoint(
                path: identity, message: "a negative transaction id in the checkpoint: \(position)")
        }
        return PostgresCursor(txid: UInt64(position.epoch), id: position.id)
    }

    /// `body`, and once more after reconnecting when the connection had gone away; for calls
    /// made between rounds, which must not sleep (follow mode backs off on its own).
    private func reconnectingOnce<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch  where PostgresConnection.isRetryable(error) {
            try connection.reconnect()
            return try body()
        }
    }

    /// `body`, repeated after a reconnect with back-off (0.5 s doubling to 30 s) while it fails
    /// retryably, `reconnectAttempts` times at most. Runs on the reading thread, never on one of
    /// Swift's cooperative threads.
    func withReconnects<T>(_ body: () throws -> T) throws -> T {
        var attempt = 0
        var delay = 0.5
        while true {
            do {
                return try body()
            } catch  where PostgresConnection.isRetryable(error) && attempt < reconnectAttempts {
                attempt += 1
                warn(
                    "source \(identity): \((error as? SIEMError)?.what ?? "\(error)"); reconnecting in \(delay) s (attempt \(attempt)/\(reconnectAttempts))"
                )
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 30)
                // A failed reconnect leaves the connection closed: the next read fails retryably.
                try? connection.reconnect()
            }
        }
    }
}
