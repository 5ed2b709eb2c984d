import SIEMCore

/// Rows inserted into the table, as a `PostgresChangeStream` read them, in commit order: their
/// values in column order and each row's position. Text values live in one `TextArena` per batch.
public struct PostgresChangeBatch: Sendable {
    public internal(set) var columnNames: [String] = []
    /// Row-major: row `r`'s column `c` is `values[r * columnNames.count + c]`.
    public internal(set) var values: [SQLValue] = []
    /// Each row's position: acknowledge the last delivered one.
    public internal(set) var positions: [PostgresChangePosition] = []

    public init() {}

    public var count: Int { positions.count }
    public var isEmpty: Bool { positions.isEmpty }

    public subscript(row: Int, column: Int) -> SQLValue { values[row * columnNames.count + column] }

    /// The value of the column called `name` in row `index`, nil when there is no such column.
    public func value(_ name: String, row index: Int) -> SQLValue? {
        columnNames.firstIndex(of: name).map { self[index, $0] }
    }

    mutating func reset(columns: [String]) {
        if columnNames != columns { columnNames = columns }
        values.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
    }
}
