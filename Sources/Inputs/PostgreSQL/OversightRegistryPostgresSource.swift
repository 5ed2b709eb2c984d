import SIEMCore

/// The beacon registry's `events` table in PostgreSQL: `postgres_table` with the registry's schema
/// filled in (cursor `id`, the txid rule on its `txid` column; docs/SOURCES-postgres.md has the
/// DDL and the migration), as `oversight_registry` is `sqlite_table` for the SQLite registry.
public final class OversightRegistryPostgresSource: EventSource {
    public static let id = "oversight_registry_postgres"
    public static let summary =
        "Beacon registry `events` table in PostgreSQL, read-only batches by (txid, id), on a primary or a hot standby"

    public struct Options: PluginOptions {
        public var connection = PostgresConnectionKeys()
        public var table = "events"
        public var consistency = PostgresConsistency.txidColumn("txid")
        public var lockTimeoutMS = 1_000
        public var reconnectAttempts = 5

        public static let specs: [OptionSpec<Options>] =
            OptionSpec<Options>.group(\.connection) + [
                .init(
                    "table", \.table, help: "the registry's events table, in SQL syntax", check: OptionRules.nonEmpty),
                .init(
                    "consistency", \.consistency,
                    help:
                        "the rule against out-of-order commits; the registry's schema carries a txid column for {txid_column: txid}"
                ),
                .init(
                    "lock_timeout_ms", \.lockTimeoutMS, help: "lock_barrier only: see postgres_table",
                    range: 10...60_000),
                .init(
                    "reconnect_attempts", \.reconnectAttempts,
                    help: "reconnects (0.5 s, doubling to 30 s) after the server goes away, before a read fails",
                    range: 0...100),
            ]

        public init() {}
    }

    /// Only these must exist, as for the SQLite registry; the others read as NULL when absent.
    static let requiredColumns = OversightRegistrySource.requiredColumns

    let table: PostgresTableSource

    public init(options: Options, context: PluginContext) throws {
        table = try PostgresTableSource(
            connection: options.connection.connectionOptions(in: context), table: options.table, cursor: "id",
            consistency: options.consistency, lockTimeoutMS: options.lockTimeoutMS,
            reconnectAttempts: options.reconnectAttempts, warn: context.warn, required: Self.requiredColumns)
    }

    public var identity: String { table.identity }
    public func availableColumns() throws -> [String]? { try table.availableColumns() }
    public func endPosition() throws -> SourcePosition? { try table.endPosition() }
    public func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader {
        try table.open(query, columns: columns)
    }
}
