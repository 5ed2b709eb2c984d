import SIEMCore
import SIEMInputs

/// An `EventSource` over registry rows in memory, honouring `SourceQuery` like the real one.
public final class ArraySource: EventSource {
    public static let id = "array"
    public static let summary = "rows held in memory (tests)"
    public typealias Options = NoOptions

    public var rows: [BeaconRow]
    /// Row id → epoch, for a source whose positions have one (`SourcePosition`): rows are then
    /// read in (epoch, id) order, as a PostgreSQL table read by transaction id is.
    public var epochs: [Int64: Int64] = [:]
    public let identity: String

    public init(rows: [BeaconRow], identity: String = "memory") {
        self.rows = rows
        self.identity = identity
    }

    public init(options: NoOptions, context: PluginContext) throws {
        rows = []
        identity = "memory"
    }

    public func endPosition() throws -> SourcePosition? { rows.map(position).max() }

    func position(_ row: BeaconRow) -> SourcePosition { SourcePosition(epoch: epochs[row.id] ?? 0, id: row.id) }

    public func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader {
        var selected = rows.filter { row in
            guard position(row) > query.after, position(row) <= (query.through ?? SourcePosition(epoch: .max, id: .max))
            else { return false }
            guard let since = query.sinceUnix else { return true }
            if case .integer(let t) = row.timestamp { return t >= since }
            return false
        }
        switch query.order {
        case .id: selected.sort { position($0) < position($1) }
        case .timestamp:
            func time(_ r: BeaconRow) -> Int64 {
                if case .integer(let t) = r.timestamp { return t }
                return .min
            }
            selected.sort { (time($0), $0.id) < (time($1), $1.id) }
        }
        return Reader(rows: selected, columns: columns.map(\.name), epochs: epochs)
    }

    final class Reader: RowReader {
        var rows: ArraySlice<BeaconRow>
        let columns: [String]
        let epochs: [Int64: Int64]
        init(rows: [BeaconRow], columns: [String], epochs: [Int64: Int64]) {
            self.rows = rows[...]
            self.columns = columns
            self.epochs = epochs
        }
        func next(into batch: inout RowBatch, max: Int) throws {
            batch = RowBatch(columns: columns, capacity: max)
            for row in rows.prefix(max) {
                if epochs.isEmpty {
                    batch.beginRow(id: row.id)
                } else {
                    batch.beginRow(id: row.id, epoch: epochs[row.id] ?? 0)
                }
                for column in columns { batch.append(row.value(of: column)) }
            }
            rows = rows.dropFirst(max)
        }
    }
}
