import SIEMCore

/// One keyset read's rows: their values in column order, each row's cursor, and where the next
/// read resumes. Text values live in one `TextArena` per batch.
///
/// Reused from read to read (`PostgresKeysetReader.read(after:through:max:into:)` keeps its
/// capacity), so a long export allocates its arrays once.
public struct PostgresRowBatch: Sendable {
    /// The columns of every row, in order.
    public internal(set) var columnNames: [String] = []
    /// Row-major: row `r`'s column `c` is `values[r * columnNames.count + c]`.
    public internal(set) var values: [SQLValue] = []
    /// Each row's cursor: a checkpoint may stop after any row.
    public internal(set) var cursors: [PostgresCursor] = []
    /// Where the next read starts once every row here is delivered: the last row's cursor, or
    /// further when the rule proved the rest of the range empty (`lockBarrier` skips past ids
    /// whose transactions rolled back, for good), or the cursor read from when nothing came.
    public internal(set) var resumeCursor: PostgresCursor = .start
    /// True when fewer than `max` rows came: nothing more is ready now.
    public internal(set) var reachedEnd = true
    /// `lockBarrier` only: a writer held the table past the lock timeout, so rows beyond the
    /// last proven-complete id were not read this time. The next read tries again.
    public internal(set) var waitedOnWriter = false

    public init() {}

    public var count: Int { cursors.count }
    public var isEmpty: Bool { cursors.isEmpty }

    public subscript(row: Int, column: Int) -> SQLValue { values[row * columnNames.count + column] }

    /// Row `index`'s values, in `columnNames` order.
    public func row(_ index: Int) -> ArraySlice<SQLValue> {
        values[(index * columnNames.count)..<((index + 1) * columnNames.count)]
    }

    /// The value of the column called `name` in row `index`, nil when there is no such column.
    public func value(_ name: String, row index: Int) -> SQLValue? {
        columnNames.firstIndex(of: name).map { self[index, $0] }
    }

    mutating func reset(columns: [String], from cursor: PostgresCursor) {
        if columnNames != columns { columnNames = columns }
        values.removeAll(keepingCapacity: true)
        cursors.removeAll(keepingCapacity: true)
        resumeCursor = cursor
        reachedEnd = true
        waitedOnWriter = false
    }
}
