import SIEMCore

/// What fills a column when an `INSERT` leaves it out, from the catalog (`pg_attrdef`): the
/// `txid_column` rule is sound only when every row's transaction id comes from the inserting
/// transaction itself.
enum PostgresColumnDefault {
    /// The default expression of `column`, as `pg_get_expr` writes it; nil when it has none.
    static func expression(
        of column: String, in schema: PostgresTableSchema, on connection: PostgresConnection
    ) throws
        -> String?
    {
        let result = try connection.execute(
            """
            SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
            JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
            WHERE d.adrelid = to_regclass($1) AND a.attname = $2
            """, parameters: [schema.table.quoted, column])
        return result.rowCount == 1 ? result.string(0, 0) : nil
    }

    /// Refuses a txid column whose default is not `pg_current_xact_id()`: a value written by the
    /// application, or left NULL, would not be the transaction's, and rows could be skipped.
    static func requireTransactionID(
        _ column: String, of schema: PostgresTableSchema, on connection: PostgresConnection
    ) throws {
        let expression = try Self.expression(of: column, in: schema, on: connection)
        guard expression?.contains("pg_current_xact_id()") == true else {
            throw SIEMError.source(
                path: connection.target,
                message: "txid column '\(column)' of table \(schema.table) has "
                    + (expression.map { "DEFAULT \($0)" } ?? "no DEFAULT")
                    + "; the txid_column rule needs DEFAULT pg_current_xact_id() (ALTER TABLE \(schema.table.quoted) ALTER COLUMN \(PostgresTableName.quote(column)) SET DEFAULT pg_current_xact_id())"
            )
        }
    }
}
