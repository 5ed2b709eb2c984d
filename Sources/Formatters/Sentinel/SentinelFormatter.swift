import SIEMCore

/// A flat row for a Microsoft Sentinel (Log Analytics) custom table.
///
/// Flat scalar columns are what KQL queries best; `extra` is one JSON text column (`ExtraJson`),
/// to be read with `parse_json()`. Column names are PascalCase as Azure tables use, and
/// `TimeGenerated` is the column the Logs Ingestion API requires
/// (learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview). Audit, threat and
/// decision events are rows of another table, with ASIM's column names (`encodeSecurityEvent`, in
/// SentinelSecurityRow.swift), chosen by one test of the category so the beacon's row stays as is.
public struct SentinelFormatter: EventFormatter {
    public static let id = "sentinel"
    public static let summary = "Microsoft Sentinel flat row (Log Analytics custom table columns)"
    /// The schema's name as written into every record: a constant, so no `String` per event.
    static let schemaName: StaticString = "oversight-siem-1"
    public static let schema = SchemaVersion(schemaName.description)
    public static let framings = FramingKind.documents
    public static let categories = EventCategory.allCases

    public typealias Options = NoOptions

    public init(options: NoOptions, context: PluginContext) throws {}

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard event.category == .beacon else { return encodeSecurityEvent(event, into: &out) }
        out.beginObject()
        out.key("TimeGenerated")
        out.rfc3339(event.occurredUnix)
        out.field("Schema", constant: Self.schemaName)
        out.field("RegistryId", event.origin)
        out.key("EventId")
        out.intString(event.eventID)
        out.field("BeaconKind", event.beacon.kind)
        out.field("Action", actionOf: event)
        out.field("TokenId", event.beacon.tokenID)
        out.field("FileId", event.beacon.fileID)
        out.field("RecipientId", event.beacon.recipientID)
        out.field("IssuerId", event.beacon.issuerID)
        out.field("SourceIp", event.sourceIP)
        out.field("UserAgent", event.userAgent)
        out.field("QualifiedTimestamp", event.beacon.qualifiedTimestamp)
        out.field("TlogIndex", event.beacon.tlogIndex)
        if let extra = event.attributes {
            out.key("ExtraJson")
            out.jsonTextString(extra)
        }
        out.endObject()
    }
}
