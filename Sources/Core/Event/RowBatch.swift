/// A batch of source rows, their values uninterpreted, in the columns the mapper asked for: what a
/// `RowReader` fills and a mapper reads. Row-major in one array (no allocation per row); texts
/// live in the batch's `TextArena`.
///
/// Columns a source lacks (an older schema) read as `.null`; the mapper decides what a value means.
public struct RowBatch: Sendable {
    /// The column names, in the order of each row's values.
    public let columns: [String]
    /// Each row's id: the cursor, and the event id.
    public private(set) var ids: [Int64] = []
    /// Each row's epoch (`SourcePosition.epoch`); empty while every row's is 0, as for sources
    /// with one integer cursor.
    public private(set) var epochs: [Int64] = []
    @usableFromInline private(set) var values: [SQLValue] = []

    public init(columns: [String], capacity: Int = 0) {
        self.columns = columns
        ids.reserveCapacity(capacity)
        values.reserveCapacity(capacity * columns.count)
    }

    public var count: Int { ids.count }
    public var isEmpty: Bool { ids.isEmpty }

    /// Row `row`'s value of column `column` (an index into `columns`).
    @inlinable
    public subscript(row: Int, column: Int) -> SQLValue {
        values[row &* columns.count &+ column]
    }

    /// Starts a row; exactly `columns.count` values must follow.
    public mutating func beginRow(id: Int64) {
        ids.append(id)
        if !epochs.isEmpty { epochs.append(0) }
    }

    /// Starts a row of a source whose positions have an epoch (see `SourcePosition`).
    public mutating func beginRow(id: Int64, epoch: Int64) {
        if epochs.count < ids.count { epochs.append(contentsOf: repeatElement(0, count: ids.count - epochs.count)) }
        ids.append(id)
        epochs.append(epoch)
    }

    /// Row `row`'s position: what a checkpoint past it holds.
    @inlinable
    public func position(_ row: Int) -> SourcePosition {
        SourcePosition(epoch: epochs.isEmpty ? 0 : epochs[row], id: ids[row])
    }

    @inlinable
    public mutating func append(_ value: SQLValue) { values.append(value) }

    /// Empties the batch, keeping its memory for the next read.
    public mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        epochs.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// Row `row` as `column name: value`, for dead-letter lines and messages.
    public func row(_ row: Int) -> [(column: String, value: SQLValue)] {
        columns.indices.map { (columns[$0], self[row, $0]) }
    }
}

/// A column a mapper reads: its name in the source (a column, or a JSON path for JSON lines) and
/// whether a source without it cannot serve the mapper at all.
public struct SourceColumn: Sendable, Equatable {
    public var name: String
    public var isRequired: Bool
    /// Where the mapper's config names it (`fields.actor`), for errors.
    public var configPath: String?

    public init(_ name: String, required: Bool = true, configPath: String? = nil) {
        self.name = name
        self.isRequired = required
        self.configPath = configPath
    }
}
