import SIEMCore

/// An Elastic Common Schema document.
///
/// ECS field reference: elastic.co/guide/en/ecs/current/ecs-field-reference.html. Fields with an
/// ECS home go there (`event.*`, `source.ip`, `user_agent.original`, `labels`); the beacon's own
/// fields live under the custom `oversight` namespace, as ECS advises for non-ECS data. Audit,
/// threat and decision events have a document of their own (`encodeSecurityEvent`, in
/// ECSSecurityEventDocument.swift), chosen by one test of the category so the beacon's stays as is.
public struct ECSFormatter: EventFormatter {
    public static let id = "ecs"
    public static let summary = "Elastic Common Schema 8.x/9.x document, for Elasticsearch or a Beats/Agent pipeline"
    /// The schema's name as written into every record: a constant, so no `String` per event.
    static let schemaName: StaticString = "oversight-siem-1"
    public static let schema = SchemaVersion(schemaName.description)
    public static let framings = FramingKind.documents
    public static let categories = EventCategory.allCases

    /// The ECS releases whose fields this document uses unchanged: every field written here has
    /// the same name and type from 8.11 through 9.4, so the version stamp is the only difference.
    public static let supportedECSVersions = [
        "8.11.0", "8.12.0", "8.13.0", "8.14.0", "8.15.0", "8.16.0", "8.17.0",
        "9.0.0", "9.1.0", "9.2.0", "9.3.0", "9.4.0",
    ]

    public struct Options: PluginOptions {
        public var ecsVersion = "8.11.0"

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "ecs_version", \.ecsVersion,
                help: "value of `ecs.version`; one of " + ECSFormatter.supportedECSVersions.joined(separator: ", "),
                check: { version in
                    ECSFormatter.supportedECSVersions.contains(version)
                        ? nil
                        : "'\(version)' is not supported; use one of "
                            + ECSFormatter.supportedECSVersions.joined(separator: ", ")
                })
        ]

        public init() {}
    }

    /// Held as `UTF8Text`: written into every document, so not a `String` escaped each time.
    let ecsVersion: UTF8Text

    public init(options: Options, context: PluginContext) throws {
        ecsVersion = UTF8Text(options.ecsVersion)
    }

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard event.category == .beacon else { return encodeSecurityEvent(event, into: &out) }
        out.beginObject()
        out.key("@timestamp")
        out.rfc3339(event.occurredUnix)
        out.key("ecs")
        out.beginObject()
        out.key("version")
        out.string(ecsVersion)
        out.endObject()

        out.key("event")
        out.beginObject()
        out.field("kind", constant: "event")
        out.key("category")
        out.beginArray()
        out.string("network")
        out.endArray()
        out.key("type")
        out.beginArray()
        out.string("access")
        out.string("info")
        out.endArray()
        out.field("dataset", constant: "oversight.beacon")
        out.field("module", constant: "oversight")
        out.field("provider", constant: "oversight-registry")
        out.field("action", actionOf: event)
        out.key("id")
        out.intString(event.eventID)
        out.field("outcome", constant: "success")
        out.endObject()

        // ECS: "always store the raw address in the .address field. Then it should be duplicated
        // to .ip or .domain" (elastic.co/guide/en/ecs/current/ecs-source.html). `source.ip` is of
        // type `ip`, and a value that is not an address would make Elasticsearch reject the whole
        // document, so it is written only when the text parses as one.
        if let address = event.sourceIP {
            out.key("source")
            out.beginObject()
            out.field("address", address)
            if IPAddressSyntax.isIPAddress(address) { out.field("ip", address) }
            out.endObject()
        }
        if let userAgent = event.userAgent {
            out.key("user_agent")
            out.beginObject()
            out.field("original", userAgent)
            out.endObject()
        }

        out.key("labels")
        out.beginObject()
        out.field("oversight_token_id", event.beacon.tokenID)
        out.field("oversight_file_id", event.beacon.fileID)
        out.field("oversight_recipient_id", event.beacon.recipientID)
        out.field("oversight_issuer_id", event.beacon.issuerID)
        out.field("oversight_beacon_kind", event.beacon.kind)
        out.endObject()

        out.key("oversight")
        out.beginObject()
        out.field("schema", constant: Self.schemaName)
        out.field("registry_id", event.origin)
        out.field("token_id", event.beacon.tokenID)
        out.field("file_id", event.beacon.fileID)
        out.field("recipient_id", event.beacon.recipientID)
        out.field("issuer_id", event.beacon.issuerID)
        out.field("beacon_kind", event.beacon.kind)
        out.field("tlog_index", event.beacon.tlogIndex)
        out.field("qualified_timestamp", event.beacon.qualifiedTimestamp)
        out.field("extra", event.attributes)
        out.endObject()
        out.endObject()
    }
}
