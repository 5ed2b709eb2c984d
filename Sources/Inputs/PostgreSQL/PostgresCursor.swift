/// Where a keyset read resumes: every row at or before it has been read, and no row that could
/// still appear sorts at or before it.
///
/// `txid` is the row's `xid8` for `PostgresKeysetRule.txidColumn` (rows sort by `(txid, id)`)
/// and 0 for the other rules, which sort by `id` alone. Stored as text (`description`,
/// `init?(_:)`) by whatever keeps checkpoints.
public struct PostgresCursor: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The transaction id that wrote the row (an unsigned 64-bit `xid8`), 0 when not used.
    public var txid: UInt64
    /// The row's id.
    public var id: Int64

    public init(txid: UInt64 = 0, id: Int64) {
        self.txid = txid
        self.id = id
    }

    /// Before every row: what a first run starts from.
    public static let start = PostgresCursor(txid: 0, id: .min)

    public static func < (a: PostgresCursor, b: PostgresCursor) -> Bool {
        (a.txid, a.id) < (b.txid, b.id)
    }

    /// `txid:id`, e.g. `"7421:15"`.
    public var description: String { "\(txid):\(id)" }

    /// Parses `description`'s form; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let txid = UInt64(parts[0]), let id = Int64(parts[1]) else { return nil }
        self.init(txid: txid, id: id)
    }
}
