import SIEMCore

/// Audit, threat and decision events as CEF lines (`oversight-cef-2` only).
///
/// Header: the action as Signature ID and Name, the event's own severity. Extension, in this
/// order, empty ones left out: `rt`, `externalId`, `cat` (the category), `act` (the action taken
/// — a decision's verdict, else the action), `outcome` (success/failure/unknown; the two are
/// separate keys, "Action taken by the device" and "usually as 'success' or 'failure'"), the
/// source (`src` IPv4 / `c6a2` IPv6 / `cs5` other text) and `spt`, the destination (`dst` /
/// `c6a3` / `dhost`) and `dpt`, `requestClientApplication`, `suser` or `sourceServiceName` (a
/// user or a service actor), `msg`, `reason` (a decision's rule), then labelled custom fields:
/// `cs1` tenant, `cs2` target, `cs3` origin, `cs4` attributes (or `cn3` their size past 4,000
/// bytes), `cs6` schema, `cn2` confidence. Every string is cut to its dictionary length.
extension CEFFormatter {
    func encodeSecurityEvent(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard version == .v2 else {
            throw SIEMError.invalidOption(
                key: "schema",
                message:
                    "oversight-cef-1 renders beacon events only; a \(event.category.rawValue) event needs oversight-cef-2 (remove the pin or pin oversight-cef-2)"
            )
        }
        out.appendRaw(headerStart)
        appendHeader(event.action, limit: CEFLength.signatureID, &out)
        out.appendRaw("|" as StaticString)
        appendHeader(event.action, limit: CEFLength.name, &out)
        out.appendRaw("|" as StaticString)
        out.appendRaw(Self.severity(event.severity))
        out.appendRaw("|" as StaticString)

        var x = CEFExtensions()
        x.add("rt", decimal: event.occurredUnix &* 1_000 &+ Int64(event.occurredNanos / 1_000_000), &out)
        x.add("externalId", decimal: event.eventID, &out)
        x.add("cat", event.category.constantName, &out)
        if let verdict = event.verdict {
            x.add("act", verdict.upper, &out)
        } else {
            x.add("act", event.action, limit: CEFLength.deviceAction, &out)
        }
        x.add("outcome", event.outcome.constantName, &out)
        if let source = event.sourceIP.nonEmptyText { addSource(source, &x, &out) }
        addPort("spt", event.sourcePort, &x, &out)
        if let destination = event.destinationIP.nonEmptyText {
            // `dst` is IPv4 only; an IPv6 destination goes to c6a3 ("destination address, then
            // use c6a3 … Destination IPv6 Address"), a name to `dhost`.
            if IPAddressSyntax.isIPv4Address(destination) {
                x.add("dst", destination, &out)
            } else if IPAddressSyntax.isIPAddress(destination) {
                x.add("c6a3Label", "Destination IPv6 Address" as StaticString, &out)
                x.add("c6a3", destination, &out)
            } else {
                x.add("dhost", destination, limit: CEFLength.string1023, &out)
            }
        }
        addPort("dpt", event.destinationPort, &x, &out)
        x.add("requestClientApplication", event.userAgent, limit: CEFLength.string1023, &out)
        if let user = event.actorUser.nonEmptyText {
            x.add("suser", user, limit: CEFLength.string1023, &out)
        } else {
            // "The service that is responsible for generating this event."
            x.add("sourceServiceName", event.actorService, limit: CEFLength.string1023, &out)
        }
        x.add("msg", event.message, limit: CEFLength.string1023, &out)
        if event.category == .decision, let rule = WellKnownAttributes(event.attributes).ruleLabel {
            x.add("reason", rule, limit: CEFLength.string1023, &out)
        }
        if let tenant = event.tenant.nonEmptyText {
            x.add("cs1Label", "tenant" as StaticString, &out)
            x.add("cs1", tenant, limit: CEFLength.customString, &out)
        }
        if let target = event.target.nonEmptyText {
            x.add("cs2Label", "target" as StaticString, &out)
            x.add("cs2", target, limit: CEFLength.customString, &out)
        }
        x.add("cs3Label", "origin" as StaticString, &out)
        x.add("cs3", event.origin, limit: CEFLength.customString, &out)
        if let attributes = event.attributes {
            addJSON(
                attributes, label: "attributes", sizeLabel: "attributesBytes", limit: CEFLength.customString, &x,
                &out)
        }
        x.add("cs6Label", "schema" as StaticString, &out)
        x.add("cs6", "oversight-cef-2" as StaticString, &out)
        if let confidence = event.confidence {
            x.add("cn2Label", "confidence" as StaticString, &out)
            x.add("cn2", decimal: Int64(confidence), &out)
        }
    }

    /// A port (Integer, "valid port numbers are 0 to 65535"); another number is no port.
    private func addPort(_ key: StaticString, _ port: Int32?, _ x: inout CEFExtensions, _ out: inout RecordWriter) {
        guard let port, (0...65_535).contains(port) else { return }
        x.add(key, decimal: Int64(port), &out)
    }

    /// The header's Severity from the scale. CEF reads 0–3 as Low, 4–6 Medium, 7–8 High, 9–10
    /// Very-High (CEF standard, header table; also learn.microsoft.com/azure/sentinel/
    /// cef-name-mapping `LogSeverity`): informational 1 and low 3 both land in Low, in order.
    static func severity(_ severity: EventSeverity) -> StaticString {
        switch severity {
        case .unknown: return "Unknown"
        case .informational: return "1"
        case .low: return "3"
        case .medium: return "5"
        case .high: return "8"
        case .critical: return "10"
        }
    }
}
