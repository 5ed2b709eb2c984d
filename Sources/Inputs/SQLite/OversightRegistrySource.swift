import SIEMCore

/// The beacon registry's `events` table: `sqlite_table` with the registry's schema filled in
/// (table `events`, cursor `id`, time column `timestamp`), read-only beside the live registry.
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

    /// Only these must exist; older registries without the other columns read them as NULL.
    static let requiredColumns = ["id", "kind", "timestamp"]

    let table: SQLiteTableSource

    public init(options: Options, context: PluginContext) throws {
        table = try Self.openEvents(at: context.resolve(path: options.path), busyTimeoutMS: options.busyTimeoutMS)
    }

    /// The registry's `events` table, its errors in the registry's words.
    private static func openEvents(at path: String, busyTimeoutMS: Int) throws -> SQLiteTableSource {
        do {
            return try SQLiteTableSource(
                path: path, table: "events", query: nil, cursor: "id", timeColumn: "timestamp",
                busyTimeoutMS: busyTimeoutMS, required: requiredColumns)
        } catch SIEMError.source(let path, let message) where message.hasPrefix("no table events") {
            throw SIEMError.source(path: path, message: "no `events` table (is this a beacon registry?)")
        } catch SIEMError.source(let path, let message) where message.hasPrefix("table events lacks") {
            throw SIEMError.source(path: path, message: "`events` table" + message.dropFirst("table events".count))
        }
    }

    /// The path: the one name checkpoints have always remembered a registry by.
    public var identity: String { table.connection.path }
    public func availableColumns() throws -> [String]? { table.present }
    public func verifyUnchanged() throws { try table.verifyUnchanged() }
    public func endPosition() throws -> SourcePosition? { try table.endPosition() }
    public func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader {
        try table.open(query, columns: columns)
    }
}
