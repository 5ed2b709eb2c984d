/// Where a logical-replication read resumes: the commit LSN of a transaction and how many of its
/// inserts into the table have been read (1 for its first row).
///
/// `pgoutput` sends whole transactions in commit order, and resends a transaction whose commit
/// is at or after the slot's confirmed position, so a transaction cut short by a restart comes
/// again and its rows up to `ordinal` are skipped. Stored as text (`description`, `init?(_:)`).
public struct PostgresChangePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var commitLSN: PostgresLSN
    public var ordinal: Int64

    public init(commitLSN: PostgresLSN, ordinal: Int64) {
        self.commitLSN = commitLSN
        self.ordinal = ordinal
    }

    public static func < (a: PostgresChangePosition, b: PostgresChangePosition) -> Bool {
        (a.commitLSN.value, a.ordinal) < (b.commitLSN.value, b.ordinal)
    }

    /// `16/B374D848:3`.
    public var description: String { "\(commitLSN):\(ordinal)" }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let lsn = PostgresLSN(String(text[..<colon])),
            let ordinal = Int64(text[text.index(after: colon)...])
        else { return nil }
        self.init(commitLSN: lsn, ordinal: ordinal)
    }
}
