/// One row of the registry's `events` table, column values uninterpreted.
///
/// Columns a registry lacks (older schemas) read as `.null`; the mapper decides what a value means.
public struct SourceRow: Sendable, Equatable {
    public var tokenID: SQLValue
    public var fileID: SQLValue
    public var recipientID: SQLValue
    public var issuerID: SQLValue
    public var kind: SQLValue
    public var sourceIP: SQLValue
    public var userAgent: SQLValue
    public var extra: SQLValue
    public var timestamp: SQLValue
    public var qualifiedTimestamp: SQLValue
    public var tlogIndex: SQLValue
    // Declared last so that the synthesized memberwise initializer's parameters differ from the
    // public one's, which can then delegate to it (see `Event`'s initializer for why).
    public var id: Int64
}

extension SourceRow {
    public init(
        id: Int64, tokenID: SQLValue = .null, fileID: SQLValue = .null, recipientID: SQLValue = .null,
        issuerID: SQLValue = .null, kind: SQLValue = .null, sourceIP: SQLValue = .null,
        userAgent: SQLValue = .null, extra: SQLValue = .null, timestamp: SQLValue = .null,
        qualifiedTimestamp: SQLValue = .null, tlogIndex: SQLValue = .null
    ) {
        self.init(
            tokenID: tokenID, fileID: fileID, recipientID: recipientID, issuerID: issuerID, kind: kind,
            sourceIP: sourceIP, userAgent: userAgent, extra: extra, timestamp: timestamp,
            qualifiedTimestamp: qualifiedTimestamp, tlogIndex: tlogIndex, id: id)
    }
}
