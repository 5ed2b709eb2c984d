/// Where a source's reading has got to: what a checkpoint holds and what a run resumes after.
///
/// Most sources read in the order of one integer that only grows (an AUTOINCREMENT id, a
/// sequence, a byte offset): their position is `(0, id)`. A source whose commit order is not its
/// id order puts a first key before the id — a PostgreSQL table read in `(txid, id)` order takes
/// the transaction id as `epoch` — so that a checkpoint never passes a row that commits later
/// with a lower id. Positions are ordered as the source reads: `epoch`, then `id`.
public struct SourcePosition: Comparable, Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The first order key; 0 for a source with one integer cursor.
    public var epoch: Int64
    /// The row's cursor value, which is also its event id.
    public var id: Int64

    public init(epoch: Int64 = 0, id: Int64) {
        self.epoch = epoch
        self.id = id
    }

    /// `42` is `(0, 42)`: the position of a source with one integer cursor.
    public init(integerLiteral id: Int64) { self.init(id: id) }

    /// Before every row of a source whose ids start at 1 (what a pipeline that never ran resumes after).
    public static let start = SourcePosition(id: 0)

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        a.epoch != b.epoch ? a.epoch < b.epoch : a.id < b.id
    }

    /// `id 1234`, or `epoch 77, id 1234` when there is an epoch.
    public var description: String { epoch == 0 ? "id \(id)" : "epoch \(epoch), id \(id)" }
}
