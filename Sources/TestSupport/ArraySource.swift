import SIEMCore
import SIEMInputs

/// An `EventSource` over registry rows in memory, honouring `SourceQuery` like the real one.
public final class ArraySource: EventSource {
    public static let id = "array"
    public static let summary = "rows held in memory (tests)"
    public typealias Options = NoOptions

    public var rows: [BeaconRow]
    public let identity: String

    public init(rows: [BeaconRow], identity: String = "memory") {
        self.rows = rows
        self.identity = identity
    }

    public init(options: NoOptions, context: PluginContext) throws {
        rows = []
        identity = "memory"
    }

    public func highestID() throws -> Int64? { rows.map(\.id).max() }

    public func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader {
        var selected = rows.filter { row in
            guard row.id > query.afterID, row.id <= (query.throughID ?? .max) else { return false }
            guard let since = query.sinceUnix else { return true }
            if case .integer(let t) = row.timestamp { return t >= since }
            return false
        }
        switch query.order {
        case .id: selected.sort { $0.id < $1.id }
        case .timestamp:
            func time(_ r: BeaconRow) -> Int64 {
                if case .integer(let t) = r.timestamp { return t }
                return .min
            }
            selected.sort { (time($0), $0.id) < (time($1), $1.id) }
        }
        return Reader(rows: selected, columns: columns.map(\.name))
    }

    final class Reader: RowReader {
        var rows: ArraySlice<BeaconRow>
        let columns: [String]
        init(rows: [BeaconRow], columns: [String]) {
            self.rows = rows[...]
            self.columns = columns
        }
        func next(into batch: inout RowBatch, max: Int) throws {
            batch = RowBatch(beaconRows: Array(rows.prefix(max)), columns: columns)
            rows = rows.dropFirst(max)
        }
    }
}
