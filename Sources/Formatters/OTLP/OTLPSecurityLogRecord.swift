import SIEMCore

/// The OTLP log record of an audit, threat or decision event (the beacon's is
/// `OTLPLogFormatter.encode`).
///
/// Per the logs data model (opentelemetry.io/docs/specs/otel/logs/data-model/): `timeUnixNano`
/// exact to the nanosecond; `severityNumber` from the fixed scale — informational 9 (INFO),
/// low 10 (INFO2), medium 13 (WARN), high 17 (ERROR), critical 18 (ERROR2), the numbers the data
/// model's Appendix B gives syslog's Informational, Notice, Warning, Error and Critical, so OTLP and
/// syslog output agree — and `severityText` "the original string representation of the severity as
/// it is known at the source", the scale's name; an unknown severity has neither ("source formats
/// that do not define a concept of severity … MAY omit"). `eventName` is the action (semantic
/// conventions 1.44 moved `event.name` into this field), `body` the message, or the action when
/// there is none. Attributes use the semantic conventions where one means the same (`user.name`,
/// `client.*`/`server.*` for request/response records — audit and decisions — and
/// `source.*`/`destination.*` for threat signals, "when there is no client/server relationship",
/// `user_agent.original`); the rest is under `oversight.*`. The tenant is a resource attribute
/// (`oversight.tenant.id`, set by the batch's framing) and, for receivers that drop resource
/// attributes or batches that mix tenants, on the record too.
extension OTLPLogFormatter {
    func encodeSecurityEvent(_ event: borrowing Event, into out: inout RecordWriter) {
        out.beginObject()
        Self.writeTimeUnixNano(event.occurredUnix, nanos: event.occurredNanos, into: &out)
        if let number = Self.severityNumber(event.severity) {
            out.key("severityNumber")
            out.int(number)
            out.field("severityText", constant: event.severity.name)
        }
        out.field("eventName", event.action)
        out.key("body")
        out.beginObject()
        if let message = event.message, !message.isEmpty {
            out.field("stringValue", message)
        } else {
            out.field("stringValue", event.action)
        }
        out.endObject()

        out.key("attributes")
        out.beginArray()
        var attributes = OTLPAttributes(out: out)
        attributes.decimalString("oversight.event_id", event.eventID)
        attributes.entry("oversight.occurred_at") {
            $0.key("stringValue" as StaticString)
            $0.rfc3339(event.occurredUnix, nanos: event.occurredNanos)
        }
        attributes.constant("oversight.category", event.category.constantName)
        attributes.constant("oversight.outcome", event.outcome.constantName)
        attributes.text("oversight.tenant.id", event.tenant)
        attributes.text("user.name", event.actorUser)
        attributes.text("oversight.actor.service", event.actorService)
        attributes.text("oversight.target", event.target)
        if event.category == .threat {
            attributes.text("source.address", event.sourceIP)
            if let port = event.sourcePort { attributes.int("source.port", Int64(port)) }
            attributes.text("destination.address", event.destinationIP)
            if let port = event.destinationPort { attributes.int("destination.port", Int64(port)) }
        } else {
            attributes.text("client.address", event.sourceIP)
            if let port = event.sourcePort { attributes.int("client.port", Int64(port)) }
            attributes.text("server.address", event.destinationIP)
            if let port = event.destinationPort { attributes.int("server.port", Int64(port)) }
        }
        attributes.text("user_agent.original", event.userAgent)
        if let confidence = event.confidence { attributes.int("oversight.confidence", Int64(confidence)) }
        if let verdict = event.verdict { attributes.constant("oversight.verdict", verdict.upper) }
        attributes.constant("oversight.schema", "oversight-otlp-1")
        if let values = event.attributes {
            attributes.entry("oversight.attributes") { OTLPAnyValue.write(canonical: values.text, into: &$0) }
        }
        out = attributes.out
        out.endArray()
        out.endObject()
    }

    /// `timeUnixNano`, an unsigned 64-bit count: left out before 1970, after 2554-07-21T23:34:33
    /// (what it can hold) and at exactly 0, which the field reads as "unknown" (the time is always
    /// in `oversight.occurred_at`).
    static func writeTimeUnixNano(_ seconds: Int64, nanos: Int32, into out: inout RecordWriter) {
        let maximum = Int64(bitPattern: UInt64.max / 1_000_000_000)
        let maximumNanos = Int32(UInt64.max % 1_000_000_000)
        guard seconds >= 0, seconds < maximum || (seconds == maximum && nanos <= maximumNanos),
            seconds > 0 || nanos > 0
        else { return }
        out.key("timeUnixNano")
        out.beginString()
        if seconds > 0 {
            out.stringContents(decimal: seconds)
            var padding = 100_000_000
            while padding > 1, Int(nanos) < padding {
                out.stringContents("0" as StaticString)
                padding /= 10
            }
        }
        out.stringContents(decimal: Int64(nanos))
        out.endString()
    }

    /// The data model's SeverityNumber for the fixed scale; nil for unknown.
    static func severityNumber(_ severity: EventSeverity) -> Int64? {
        switch severity {
        case .unknown: return nil
        case .informational: return 9
        case .low: return 10
        case .medium: return 13
        case .high: return 17
        case .critical: return 18
        }
    }
}
