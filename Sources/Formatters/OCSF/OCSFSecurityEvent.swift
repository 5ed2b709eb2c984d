import SIEMCore

/// Audit, threat and decision events as OCSF 1.8.0 API Activity (6003), Authentication (3002) or
/// Detection Finding (2004): the class by category and action (`OCSFSecurityClass`), every
/// canonical field in the class's own attribute where one exists, the rest under `unmapped`
/// (OCSF: "a catchall … when there is data that doesn't populate the more specific attributes").
///
/// The `class` and `severity` options concern beacon events only: these carry their own
/// category and severity. Placeholders, where the class requires what the event lacks, are named
/// where they are written; docs/SOURCES.md lists them.
extension OCSFFormatter {
    func encodeSecurityEvent(_ event: borrowing Event, into out: inout RecordWriter) {
        let attributes =
            event.category == .audit ? WellKnownAttributes() : WellKnownAttributes(event.attributes)
        let kind = ActionClass(of: event)
        let eventClass = OCSFSecurityClass(kind: kind, event: event)
        var profiles: [StaticString] = []
        // OCSF osint profile: the indicator an IOC match matched; security_control profile: "if
        // the event producer is a security control, the security_control profile should be
        // applied" (Detection Finding), which is what brings `action_id`, `disposition_id`, `policy`.
        if eventClass == .detectionFinding, attributes.indicatorValue != nil { profiles.append("osint") }
        if kind == .decision { profiles.append("security_control") }

        out.beginObject()
        eventClass.writeHeader(event, into: &out)
        out.key("time")  // timestamp_t: milliseconds since the epoch, truncated
        out.int(event.occurredUnix &* 1_000 &+ Int64(event.occurredNanos / 1_000_000))
        out.field("message", event.message)
        writeMetadata(event, profiles: profiles, eventCode: event.action, tenant: event.tenant, into: &out)

        var observables = OCSFObservables()
        var unmapped = OCSFUnmappedExtras()
        switch eventClass {
        case .apiActivity:
            writeAPIActivity(event, observables: &observables, unmapped: &unmapped, into: &out)
        case .authentication:
            writeAuthentication(event, observables: &observables, unmapped: &unmapped, into: &out)
        case .detectionFinding:
            writeDetectionFinding(
                event, kind: kind, attributes: attributes, observables: &observables, unmapped: &unmapped,
                into: &out)
        }
        observables.write(into: &out)

        out.key("unmapped")
        out.beginObject()
        out.field("schema", constant: Self.schemaName)
        out.field("category", constant: event.category.constantName)
        if eventClass == .detectionFinding { out.field("outcome", constant: event.outcome.constantName) }
        if let verdict = event.verdict { out.field("verdict", constant: verdict.upper) }
        unmapped.write(into: &out)
        out.field("attributes", event.attributes)
        out.endObject()
        out.endObject()
    }
}

/// The observables of one event: each names the attribute that holds the value (OCSF FAQ "How
/// would I populate the observables array?"); type 2 is "IP Address", 4 "User Name".
struct OCSFObservables {
    private var items: [(name: StaticString, typeID: Int64, type: StaticString, value: UTF8Text)] = []

    mutating func ip(_ name: StaticString, _ value: UTF8Text?) {
        if let value { items.append((name, 2, "IP Address", value)) }
    }

    mutating func userName(_ name: StaticString, _ value: UTF8Text?) {
        if let value, !value.isEmpty { items.append((name, 4, "User Name", value)) }
    }

    func write(into out: inout RecordWriter) {
        guard !items.isEmpty else { return }
        out.key("observables")
        out.beginArray()
        for item in items {
            out.beginObject()
            out.field("name", constant: item.name)
            out.field("type", constant: item.type)
            out.key("type_id")
            out.int(item.typeID)
            out.field("value", item.value)
            out.endObject()
        }
        out.endArray()
    }
}

/// Canonical fields that found no attribute in the class written, for `unmapped`.
struct OCSFUnmappedExtras {
    var confidence: Int16?
    var sourcePort: Int32?
    var destinationPort: Int32?
    var userAgent: UTF8Text?

    func write(into out: inout RecordWriter) {
        out.field("confidence", confidence)
        out.field("source_port", sourcePort)
        out.field("destination_port", destinationPort)
        out.field("user_agent", userAgent)
    }
}
