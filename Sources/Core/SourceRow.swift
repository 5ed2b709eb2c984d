/// One row of the registry's `events` table, column values uninterpreted.
///
/// Columns a registry lacks (older schemas) read as `.null`; the mapper decides what a value means.
public struct SourceRow: Sendable, Equatable {
    public var id: Int64
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

    public init(
        id: Int64, tokenID: SQLValue = .null, fileID: SQLValue = .null, recipientID: SQLValue = .null,
        issuerID: SQLValue = .null, kind: SQLValue = .null, sourceIP: SQLValue = .null,
        userAgent: SQLValue = .null, extra: SQLValue = .null, timestamp: SQLValue = .null,
        qualifiedTimestamp: SQLValue = .null, tlogIndex: SQLValue = .null
    ) {
        self.id = id
        self.tokenID = tokenID
        self.fileID = fileID
        self.recipientID = recipientID
        self.issuerID = issuerID
        self.kind = kind
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.extra = extra
        self.timestamp = timestamp
        self.qualifiedTimestamp = qualifiedTimestamp
        self.tlogIndex = tlogIndex
    }
}
