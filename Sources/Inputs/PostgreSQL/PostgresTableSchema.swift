import SIEMCore

/// A source table's columns, loaded once from the catalog, with the checks a config needs:
/// every mapped column exists (with a did-you-mean and the column list when not), the cursor
/// column is an integer, the txid column is an `xid8`.
public struct PostgresTableSchema: Sendable, Equatable {
    public var table: PostgresTableName
    /// In table order.
    public var columns: [PostgresColumn]
    /// `host:port/db`, where the errors say they come from.
    public var target: String

    public init(table: PostgresTableName, columns: [PostgresColumn], target: String) {
        self.table = table
        self.columns = columns
        self.target = target
    }

    /// Resolves `name` (SQL syntax, the session's search path) and reads its columns.
    public static func load(_ name: String, from connection: PostgresConnection) throws -> PostgresTableSchema {
        let rows = try connection.execute(
            """
            SELECT n.nspname, c.relname, a.attname, COALESCE(NULLIF(t.typbasetype, 0), a.atttypid),
                   format_type(a.atttypid, a.atttypmod), a.attnotnull
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_type t ON t.oid = a.atttypid
            WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            ORDER BY a.attnum
            """, parameters: [name])
        guard rows.rowCount > 0, let schema = rows.string(0, 0), let relation = rows.string(0, 1) else {
            let visible = try connection.execute(
                """
                SELECT c.relname FROM pg_class c
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND pg_table_is_visible(c.oid)
                  AND c.relnamespace <> 'pg_catalog'::regnamespace
                """)
            let names = (0..<visible.rowCount).compactMap { visible.string($0, 0) }
            throw SIEMError.source(
                path: connection.target,
                message: "table \(name) does not exist or is not visible to this role"
                    + PostgresNameSuggestion.hint(for: name, in: names))
        }
        var columns: [PostgresColumn] = []
        for row in 0..<rows.rowCount {
            guard let column = rows.string(row, 2) else { continue }  // a table without columns
            columns.append(
                PostgresColumn(
                    name: column, typeOID: UInt32(rows.string(row, 3) ?? "0") ?? 0,
                    typeName: rows.string(row, 4) ?? "", isNotNull: rows.string(row, 5) == "t"))
        }
        return PostgresTableSchema(
            table: PostgresTableName(schema: schema, name: relation), columns: columns, target: connection.target)
    }

    public func column(named name: String) -> PostgresColumn? { columns.first { $0.name == name } }

    /// Throws `.source` naming the first missing column, the closest existing name and the list.
    public func requireColumns(_ names: [String]) throws {
        for name in names where column(named: name) == nil {
            let existing = columns.map(\.name)
            throw SIEMError.source(
                path: target,
                message: "column '\(name)' does not exist in table \(table)"
                    + PostgresNameSuggestion.hint(for: name, in: existing)
                    + "; its columns: \(existing.joined(separator: ", "))")
        }
    }

    /// The cursor column: present, and `smallint`, `integer` or `bigint`.
    public func requireCursorColumn(_ name: String) throws {
        try requireColumns([name])
        let found = column(named: name)!
        guard found.isCursorInteger else {
            throw SIEMError.source(
                path: target,
                message: "cursor column '\(name)' of table \(table) is \(found.typeName); it must be an integer "
                    + "(smallint, integer or bigint)")
        }
    }

    /// The `txidColumn` rule's column: present and `xid8`.
    public func requireTxidColumn(_ name: String) throws {
        try requireColumns([name])
        let found = column(named: name)!
        guard found.typeOID == PostgresTypeOID.xid8 else {
            throw SIEMError.source(
                path: target,
                message: "txid column '\(name)' of table \(table) is \(found.typeName); it must be xid8 with "
                    + "DEFAULT pg_current_xact_id()")
        }
    }
}
