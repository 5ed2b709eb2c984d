import SIEMCore

/// Audit, threat and decision events as RFC 5424 messages, under the same schema as beacon
/// events and with the same header options:
///
/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME - <action> [event@PEN id="…" category="…" …] MSG`
///
/// - PRI: facility × 8 + the event's severity on RFC 5424's scale (§6.2.1: informational 6
///   Informational, low 5 Notice, medium 4 Warning, high 3 Error, critical 2 Critical; 0
///   Emergency and 1 Alert describe the host's state, not an event's; unknown: the `severity`
///   option).
/// - TIMESTAMP with the event's fraction, at most six digits, truncated (§6.2.3
///   `TIME-SECFRAC = "." 1*6DIGIT`).
/// - MSGID the action, the first 32 bytes, each byte outside printable ASCII as `_` (§6.2.7
///   `1*32PRINTUSASCII`), the beacon kind's rule.
/// - One SD-ELEMENT (`event_sd_id`, default `event@` and the number of `sd_id`) with the
///   canonical fields by their canonical names, the tenant among them; a PARAM-VALUE escapes
///   `"`, `\` and `]` (§6.3.3) and keeps line breaks as `\n` / `\r`.
/// - MSG (`message` option): json — a UTF-8 BOM, then `{action, event_id, occurred_at,
///   category, tenant, outcome, severity, message, attributes}`; text — BOM, then the message,
///   or "<action> <outcome>" without one; none.
extension SyslogFormatter {
    func encodeSecurityEvent(_ event: borrowing Event, into out: inout RecordWriter) {
        out.appendRaw(securityPRIVersion[Int(event.severity.rawValue)])
        out.appendText(RFC3339.string(fromUnixSeconds: event.occurredUnix, nanos: event.occurredNanos, maxDigits: 6)) {
            _ in nil
        }
        out.appendRaw(middle)
        if let action = event.action.nonEmptyText {
            action.withUTF8 { action in
                out.appendText(UnsafeBufferPointer(rebasing: action.prefix(32))) { (33...126).contains($0) ? nil : "_" }
            }
        } else {
            out.appendRaw("-" as StaticString)
        }
        out.appendRaw(" [" as StaticString)
        out.appendRaw(eventSDID)
        param("id", decimal: event.eventID, &out)
        param("category", event.category.rawValue, &out)
        param("action", event.action, &out)
        param("outcome", event.outcome.rawValue, &out)
        param("severity", event.severity.name.description, &out)
        param("tenant", event.tenant, &out)
        param("actor_user", event.actorUser, &out)
        param("actor_service", event.actorService, &out)
        param("target", event.target, &out)
        param("source_ip", event.sourceIP, &out)
        if let port = event.sourcePort { param("source_port", decimal: Int64(port), &out) }
        param("destination_ip", event.destinationIP, &out)
        if let port = event.destinationPort { param("destination_port", decimal: Int64(port), &out) }
        param("user_agent", event.userAgent, &out)
        if let confidence = event.confidence { param("confidence", decimal: Int64(confidence), &out) }
        if let verdict = event.verdict { param("verdict", verdict.upper.description, &out) }
        if event.category == .decision {
            let rule = WellKnownAttributes(event.attributes)
            param("rule_id", rule.ruleID, &out)
            param("rule_name", rule.ruleName, &out)
        }
        param("origin", event.origin, &out)
        out.appendRaw(" schema=\"oversight-syslog-1\"]" as StaticString)

        switch message {
        case .none:
            return
        case .json:
            out.appendRaw(" \u{FEFF}" as StaticString)  // SP, then the BOM: MSG is UTF-8 (§6.4)
            out.beginObject()
            out.field("action", event.action)
            out.key("event_id")
            out.intString(event.eventID)
            out.key("occurred_at")
            out.rfc3339(event.occurredUnix, nanos: event.occurredNanos)
            out.field("category", constant: event.category.constantName)
            out.field("tenant", event.tenant)
            out.field("outcome", constant: event.outcome.constantName)
            out.field("severity", event.severity.name.description)
            out.field("message", event.message)
            out.field("attributes", event.attributes)
            out.endObject()
        case .text:
            out.appendRaw(" \u{FEFF}" as StaticString)
            let text =
                event.message.nonEmptyText?.string
                ?? (event.actionName + " " + event.outcome.rawValue)
            // One message per line: control characters (a line break in a message) become spaces.
            out.appendText(text) { $0 < 0x20 || $0 == 0x7F ? " " : nil }
        }
    }

    /// ` name="value"`, left out when the value is nil or empty.
    private func param(_ name: StaticString, _ value: String?, _ out: inout RecordWriter) {
        guard let value, !value.isEmpty else { return }
        out.appendRaw(" " as StaticString)
        out.appendRaw(name)
        out.appendRaw("=\"" as StaticString)
        out.appendText(value, escaping: Self.paramEscapes, with: Self.escapeParam)
        out.appendRaw("\"" as StaticString)
    }

    /// The RFC 5424 severity of a scale value; nil for unknown.
    static func syslogSeverity(_ severity: EventSeverity) -> Int? {
        switch severity {
        case .unknown: return nil
        case .informational: return 6
        case .low: return 5
        case .medium: return 4
        case .high: return 3
        case .critical: return 2
        }
    }
}
