import SIEMCore

/// One row of the registry's `events` table by name: for tests and fixtures, which write beacon
/// rows as the registry stores them; `RowBatch(beaconRows:)` lays them out as the beacon mapper
/// reads them.
public struct BeaconRow: Sendable, Equatable {
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

    /// The value of the registry's column `name`, NULL for one the row does not name.
    public func value(of name: String) -> SQLValue {
        switch name {
        case "token_id": return tokenID
        case "file_id": return fileID
        case "recipient_id": return recipientID
        case "issuer_id": return issuerID
        case "kind": return kind
        case "source_ip": return sourceIP
        case "user_agent": return userAgent
        case "extra": return extra
        case "timestamp": return timestamp
        case "qualified_timestamp": return qualifiedTimestamp
        case "tlog_index": return tlogIndex
        case "id": return .integer(id)
        default: return .null
        }
    }
}

extension RowBatch {
    /// `rows` in `columns` (the beacon mapper's, unless told otherwise).
    public init(beaconRows rows: [BeaconRow], columns: [String] = OversightBeaconMapper.columnNames) {
        self.init(columns: columns, capacity: rows.count)
        for row in rows {
            beginRow(id: row.id)
            for column in columns { append(row.value(of: column)) }
        }
    }
}

extension RowBatch {
    /// The rows as registry rows, by column name (tests).
    public func beaconRows() -> [BeaconRow] {
        (0..<count).map { row in
            func value(_ name: String) -> SQLValue {
                columns.firstIndex(of: name).map { self[row, $0] } ?? .null
            }
            return BeaconRow(
                id: ids[row], tokenID: value("token_id"), fileID: value("file_id"),
                recipientID: value("recipient_id"), issuerID: value("issuer_id"), kind: value("kind"),
                sourceIP: value("source_ip"), userAgent: value("user_agent"), extra: value("extra"),
                timestamp: value("timestamp"), qualifiedTimestamp: value("qualified_timestamp"),
                tlogIndex: value("tlog_index"))
        }
    }
}
