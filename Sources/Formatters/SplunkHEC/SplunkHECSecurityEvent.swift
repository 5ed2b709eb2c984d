import SIEMCore

/// The HEC envelope of an audit, threat or decision event (the beacon's is `SplunkHECFormatter.encode`).
///
/// Per "Format events for HTTP Event Collector" (help.splunk.com/…/format-events-for-http-event-
/// collector): `time` is epoch seconds `<sec>.<ms>`; `fields` are indexed fields, flat strings.
/// The payload's keys are the canonical names, with the Splunk Common Information Model's where
/// one means exactly the same (`user`, `src`, `dest`, `src_port`, `dest_port`, `object`,
/// `user_agent`, `severity`, `severity_id` — docs.splunk.com/Documentation/CIM); `action` keeps
/// the canonical action, as for beacon events, so a CIM `action` is the add-on's to compute
/// (docs/SIEM.md gives the props.conf). Indexed fields are prefixed `oversight_` so they never
/// share a name with a search-time field of the payload, which Splunk would then show twice.
extension SplunkHECFormatter {
    func encodeSecurityEvent(_ event: borrowing Event, into out: inout RecordWriter) {
        out.beginObject()
        out.key("time")
        Self.writeEpochSeconds(event.occurredUnix, nanos: event.occurredNanos, into: &out)
        // `host` is "typically the hostname of the client": none is known, so it is the option's or
        // left to the HEC input's default; `source` "the name of the app" — the event's origin.
        out.field("host", options.host)
        out.key("source")
        out.string(options.source ?? event.origin)
        out.key("sourcetype")
        if let sourcetype = options.sourcetype {
            out.string(sourcetype)
        } else {
            out.string(Self.sourcetype(event.category))
        }
        out.field("index", options.index)

        out.key("event")
        out.beginObject()
        out.field("schema", constant: Self.schemaName)
        out.field("category", constant: event.category.constantName)
        out.field("action", event.action)
        out.key("event_id")
        out.intString(event.eventID)
        out.key("occurred_at")
        out.rfc3339(event.occurredUnix, nanos: event.occurredNanos)
        out.field("origin", event.origin)
        out.field("tenant", event.tenant)
        out.field("outcome", constant: event.outcome.constantName)
        // CIM's Alerts and Intrusion_Detection `severity`: critical, high, medium, low,
        // informational; an unknown one is left out (CIM then computes "unknown" itself).
        if event.severity != .unknown {
            out.field("severity", constant: event.severity.name)
            out.key("severity_id")
            out.int(Int64(event.severity.rawValue))
        }
        out.field("user", event.actorUser)
        out.field("actor_service", event.actorService)
        out.field("object", event.target)
        out.field("src", event.sourceIP)
        out.field("src_port", event.sourcePort)
        out.field("dest", event.destinationIP)
        out.field("dest_port", event.destinationPort)
        out.field("user_agent", event.userAgent)
        out.field("message", event.message)
        out.field("confidence", event.confidence)
        if let verdict = event.verdict { out.field("verdict", constant: verdict.upper) }
        out.field("attributes", event.attributes)
        out.endObject()

        // Low-cardinality keys searched as `oversight_tenant::acme` without extraction: the
        // tenant first, for tenant-scoped searches and role filters.
        out.key("fields")
        out.beginObject()
        out.field("oversight_tenant", event.tenant)
        out.field("oversight_category", constant: event.category.constantName)
        out.field("oversight_action", event.action)
        out.field("oversight_outcome", constant: event.outcome.constantName)
        if event.severity != .unknown { out.field("oversight_severity", constant: event.severity.name) }
        out.endObject()
        out.endObject()
    }

    /// `oversight:<category>`, the default when the `sourcetype` option is unset.
    static func sourcetype(_ category: EventCategory) -> StaticString {
        switch category {
        case .beacon: return "oversight:beacon"
        case .audit: return "oversight:audit"
        case .threat: return "oversight:threat"
        case .decision: return "oversight:decision"
        }
    }

    /// Epoch seconds with milliseconds when there are any, `<sec>.<ms>` as HEC documents it
    /// (truncated: HEC keeps no finer time). A time before 1970 is negative as a whole: −1.75 s is
    /// `-1.750`, not `-2.250`.
    static func writeEpochSeconds(_ seconds: Int64, nanos: Int32, into out: inout RecordWriter) {
        let milliseconds = Int64(nanos / 1_000_000)
        guard milliseconds > 0 else { return out.int(seconds) }
        var whole = seconds
        var fraction = milliseconds
        var negative = false
        if seconds < 0 {
            negative = true
            whole = -(seconds + 1)
            fraction = 1_000 - milliseconds
        }
        var text = negative ? "-" : ""
        text += String(whole) + "."
        if fraction < 100 { text += fraction < 10 ? "00" : "0" }
        text += String(fraction)
        out.value(.number(text))
    }
}
