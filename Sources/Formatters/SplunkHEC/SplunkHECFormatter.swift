import SIEMCore

/// Splunk HTTP Event Collector envelope, one per event.
///
/// Shape per Splunk's "Format events for HTTP Event Collector"
/// (help.splunk.com/…/collect-http-event-data/format-events-for-http-event-collector):
/// `time` is epoch seconds, `host`/`source`/`sourcetype`/`index` are metadata keys, `event` is
/// the payload, `fields` are indexed fields, whose values must be flat strings. Audit, threat and
/// decision events have an envelope of their own (`encodeSecurityEvent`, in
/// SplunkHECSecurityEvent.swift), chosen by one test of the category so the beacon's stays as is.
public struct SplunkHECFormatter: EventFormatter {
    public static let id = "splunk_hec"
    public static let summary = "Splunk HEC event envelope (JSON), for /services/collector/event or a forwarder"
    /// The schema's name as written into every record: a constant, so no `String` per event.
    static let schemaName: StaticString = "oversight-siem-1"
    public static let schema = SchemaVersion(schemaName.description)
    public static let framings = [FramingKind.concatenated, .ndjson]
    public static let aliases = ["splunk"]
    public static let categories = EventCategory.allCases

    public struct Options: PluginOptions {
        public var host: String?
        public var source: String?
        public var sourcetype: String?
        public var index: String?

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "host", \.host,
                help:
                    "HEC `host` metadata; unset: the registry id for beacon events, the HEC input's default for others"),
            .init(
                "source", \.source,
                help:
                    "HEC `source` metadata; unset: oversight:registry for beacon events, the source's origin for others",
                check: { $0.flatMap(OptionRules.nonEmpty) }),
            .init(
                "sourcetype", \.sourcetype,
                help: "HEC `sourcetype` metadata; unset: oversight:<category> (oversight:beacon, oversight:audit, …)",
                check: { $0.flatMap(OptionRules.nonEmpty) }),
            .init(
                "index", \.index, help: "HEC `index`; omitted when unset so the token's default index applies",
                check: { index in
                    guard let index, !Self.isValidIndexName(index) else { return nil }
                    return
                        "'\(index)' is not a Splunk index name (lowercase letters, digits, '_' and '-', not starting with '_' or '-')"
                }),
        ]

        public init() {}

        /// Splunk's rule for index names (indexes.conf): a letter or digit first, then a-z 0-9 _ -.
        static func isValidIndexName(_ name: String) -> Bool {
            guard let first = name.utf8.first, (97...122).contains(first) || (48...57).contains(first) else {
                return false
            }
            return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 || $0 == 45 }
        }
    }

    let options: Options
    /// The beacon's `source` and `sourcetype`: the options, else what the registry's export wrote.
    let beaconSource: String
    let beaconSourcetype: String

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        beaconSource = options.source ?? "oversight:registry"
        beaconSourcetype = options.sourcetype ?? "oversight:beacon"
    }

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard event.category == .beacon else { return encodeSecurityEvent(event, into: &out) }
        out.beginObject()
        out.key("time")
        out.int(event.occurredUnix)
        out.key("host")
        out.string(options.host ?? event.origin)
        out.key("source")
        out.string(beaconSource)
        out.key("sourcetype")
        out.string(beaconSourcetype)
        out.field("index", options.index)
        out.key("event")
        out.beginObject()
        out.field("schema", constant: Self.schemaName)
        out.field("kind", event.beacon.kind)
        out.field("action", actionOf: event)
        out.key("event_id")
        out.intString(event.eventID)
        out.key("occurred_at")
        out.rfc3339(event.occurredUnix)
        out.field("token_id", event.beacon.tokenID)
        out.field("file_id", event.beacon.fileID)
        out.field("recipient_id", event.beacon.recipientID)
        out.field("issuer_id", event.beacon.issuerID)
        out.field("source_ip", event.sourceIP)
        out.field("user_agent", event.userAgent)
        out.field("qualified_timestamp", event.beacon.qualifiedTimestamp)
        out.field("tlog_index", event.beacon.tlogIndex)
        out.field("registry_id", event.origin)
        out.field("extra", event.attributes)
        out.endObject()
        out.key("fields")
        out.beginObject()
        out.field("file_id", event.beacon.fileID)
        out.field("recipient_id", event.beacon.recipientID)
        out.field("issuer_id", event.beacon.issuerID)
        out.field("beacon_kind", event.beacon.kind)
        out.endObject()
        out.endObject()
    }
}
