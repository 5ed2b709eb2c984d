import SIEMCore

/// An Open Cybersecurity Schema Framework (OCSF) 1.8.0 event: for a beacon callback Network
/// Activity (4001) by default, Detection Finding (2004) on request; for audit, threat and
/// decision events the class their category and action call for (`OCSFSecurityClass`).
///
/// Attribute names, types and requirements are those of OCSF 1.8.0 (schema.ocsf.io/1.8.0,
/// released 2026-03-16), with no profile applied: every attribute the class requires is written
/// (`activity_id`, `category_uid`, `class_uid`, `type_uid`, `severity_id`, `time` in
/// milliseconds, `metadata` with `version` and `product`; `finding_info.uid` for a finding),
/// and the class's at-least-one constraints hold (`src_endpoint`/`dst_endpoint` for 4001,
/// one of the listed objects in each `evidences` entry for 2004). Beacon fields with no OCSF
/// attribute go under `unmapped`, as OCSF prescribes for source data outside the schema.
/// Mapping and reasons in docs/SIEM.md; the other categories' in `OCSFSecurityEvent.swift`.
public struct OCSFFormatter: EventFormatter {
    public static let id = "ocsf"
    public static let summary =
        "OCSF 1.8.0 events (Network Activity, API Activity, Authentication, Detection Finding), for Security Lake and OCSF pipelines"
    /// The schema's name as written into every event (`unmapped.schema`).
    static let schemaName: StaticString = "oversight-ocsf-1"
    public static let schema = SchemaVersion(schemaName.description)
    public static let framings = FramingKind.documents
    public static let categories = EventCategory.allCases

    /// The value of `metadata.version`.
    public static let ocsfVersion: StaticString = "1.8.0"

    public struct Options: PluginOptions {
        /// The key is `class`; the property is named after it.
        public var `class` = OCSFEventClass.networkActivity.rawValue
        public var severity = OCSFSeverity.informational.rawValue
        public var productName = "Beacon Registry"
        public var vendorName = "Oversight"

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "class", \.class,
                help: "OCSF class of beacon events: network_activity (4001) or detection_finding (2004)",
                check: { value in
                    guard OCSFEventClass(rawValue: value) == nil else { return nil }
                    return "'\(value)' is not one of "
                        + OCSFEventClass.allCases.map(\.rawValue).joined(separator: ", ")
                        + " (security_finding, 2001, is deprecated since OCSF 1.1.0)"
                }),
            .init(
                "severity", \.severity,
                help: "severity_id of every beacon event: informational, low, medium, high or critical",
                check: { value in
                    guard OCSFSeverity(rawValue: value) == nil else { return nil }
                    return "'\(value)' is not one of " + OCSFSeverity.allCases.map(\.rawValue).joined(separator: ", ")
                }),
            .init("product_name", \.productName, help: "metadata.product.name", check: OptionRules.nonEmpty),
            .init("vendor_name", \.vendorName, help: "metadata.product.vendor_name", check: OptionRules.nonEmpty),
        ]

        public init() {}
    }

    let eventClass: OCSFEventClass
    /// Everything from `{` up to and including `"time":`: the same for every event of a formatter.
    let header: [UInt8]
    let productName: UTF8Text
    let vendorName: UTF8Text

    public init(options: Options, context: PluginContext) throws {
        guard let eventClass = OCSFEventClass(rawValue: options.class),
            let severity = OCSFSeverity(rawValue: options.severity)
        else { throw SIEMError.invalidOption(key: "class", message: "unknown class or severity (see `plugins`)") }
        self.eventClass = eventClass
        var w = RecordWriter(capacity: 512)
        w.beginObject()
        /// An id and its caption sibling (`activity_id` and `activity_name`…).
        func pair(_ idKey: StaticString, _ id: Int64, _ nameKey: StaticString, _ name: String) {
            w.key(idKey)
            w.int(id)
            w.field(nameKey, name)
        }
        pair("activity_id", eventClass.activityID, "activity_name", eventClass.activityName.description)
        pair("category_uid", eventClass.categoryUID, "category_name", eventClass.categoryName.description)
        pair("class_uid", eventClass.classUID, "class_name", eventClass.className.description)
        pair("type_uid", eventClass.typeUID, "type_name", eventClass.typeName)
        pair("severity_id", severity.id, "severity", severity.caption.description)
        pair("status_id", eventClass.statusID, "status", eventClass.statusName.description)
        w.key("time")
        header = w.bytes
        productName = UTF8Text(options.productName)
        vendorName = UTF8Text(options.vendorName)
    }

    /// OCSF's `ip_t` holds at most 40 characters (the 1.8.0 type's `max_len`); a longer address
    /// (IPv6 with an embedded IPv4 written out in full) goes to `unmapped` with non-addresses.
    static func isOCSFAddress(_ text: UTF8Text) -> Bool {
        text.count <= 40 && IPAddressSyntax.isIPAddress(text)
    }

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard event.category == .beacon else { return encodeSecurityEvent(event, into: &out) }
        out.appendRaw(header)
        out.int(event.occurredUnix &* 1_000)  // OCSF timestamp_t: milliseconds since the epoch
        out.field("message", actionOf: event)
        writeMetadata(event, eventCode: event.beacon.kind, tenant: nil, into: &out)

        let address = event.sourceIP.flatMap { Self.isOCSFAddress($0) ? $0 : nil }
        switch eventClass {
        case .networkActivity:
            writeEndpoints(source: address, event, into: &out)
        case .detectionFinding:
            out.key("finding_info")
            out.beginObject()
            writeEventUID(event, into: &out)
            out.field("title", actionOf: event)
            out.endObject()
            // Every evidence names the registry that took the callback, which satisfies the
            // object's at-least-one constraint even for a row without a source address.
            out.key("evidences")
            out.beginArray()
            out.beginObject()
            writeEndpoints(source: address, event, into: &out)
            if let userAgent = event.userAgent, !userAgent.isEmpty {
                out.key("http_request")
                out.beginObject()
                out.field("user_agent", userAgent)
                out.endObject()
            }
            out.endObject()
            out.endArray()
        }

        // Observables name the attribute that holds the value (OCSF FAQ "How would I populate
        // the observables array?"): type 2 is "IP Address".
        if let address {
            out.key("observables")
            out.beginArray()
            out.beginObject()
            out.field(
                "name",
                constant: eventClass == .networkActivity ? "src_endpoint.ip" : "evidences.src_endpoint.ip")
            out.field("type", constant: "IP Address")
            out.key("type_id")
            out.int(2)
            out.field("value", address)
            out.endObject()
            out.endArray()
        }

        out.key("unmapped")
        out.beginObject()
        out.field("schema", constant: Self.schemaName)
        out.field("token_id", event.beacon.tokenID)
        out.field("file_id", event.beacon.fileID)
        out.field("recipient_id", event.beacon.recipientID)
        out.field("issuer_id", event.beacon.issuerID)
        if address == nil { out.field("source_ip", event.sourceIP) }
        if eventClass == .networkActivity { out.field("user_agent", event.userAgent) }
        out.field("tlog_index", event.beacon.tlogIndex)
        out.field("qualified_timestamp", event.beacon.qualifiedTimestamp)
        out.field("extra", event.attributes)
        out.endObject()
        out.endObject()
    }

    /// `metadata`: the OCSF version and product (both required), the profiles applied, the
    /// event's own id `<origin>:<id>` (the Elasticsearch `_id` too), the source's id as the
    /// original id, the source's event code (a beacon's kind, another event's action), and the
    /// tenant (`tenant_uid`, "the unique tenant identifier").
    func writeMetadata(
        _ event: borrowing Event, profiles: [StaticString] = [], eventCode: UTF8Text?, tenant: UTF8Text?,
        into out: inout RecordWriter
    ) {
        out.key("metadata")
        out.beginObject()
        out.field("version", constant: Self.ocsfVersion)
        if !profiles.isEmpty {
            out.key("profiles")
            out.beginArray()
            for profile in profiles { out.string(profile) }
            out.endArray()
        }
        out.key("product")
        out.beginObject()
        out.field("name", productName)
        out.field("vendor_name", vendorName)
        out.endObject()
        writeEventUID(event, into: &out)
        out.key("original_event_uid")
        out.intString(event.eventID)
        out.field("event_code", eventCode)
        out.field("tenant_uid", tenant)
        out.endObject()
    }

    /// `"uid":"<registry>:<row id>"`, the id of the OCSF event (`metadata`) and of its finding.
    func writeEventUID(_ event: borrowing Event, into out: inout RecordWriter) {
        out.key("uid")
        out.beginString()
        out.stringContents(event.origin)
        out.stringContents(":" as StaticString)
        out.stringContents(decimal: event.eventID)
        out.endString()
    }

    /// `src_endpoint` when the row holds an address, and `dst_endpoint`, the responder of the
    /// callback: the registry, by its configured `registry_id`.
    private func writeEndpoints(source address: UTF8Text?, _ event: borrowing Event, into out: inout RecordWriter) {
        if let address {
            out.key("src_endpoint")
            out.beginObject()
            out.field("ip", address)
            out.endObject()
        }
        out.key("dst_endpoint")
        out.beginObject()
        out.field("name", event.origin)
        out.endObject()
    }
}
