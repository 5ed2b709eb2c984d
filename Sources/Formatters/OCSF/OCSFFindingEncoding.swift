import SIEMCore

/// The attributes of a Detection Finding (2004) for threat and decision events.
extension OCSFFormatter {
    /// `finding_info` (required: `uid`) with the action as title and the message as description;
    /// the confidence score with its band; `is_alert` ("either omit the attribute or set its value
    /// to false" when not alertable) true from medium severity up; a decision's verdict as the
    /// security control's action and disposition, its rule as analytic and policy; an IOC match's
    /// indicator as `osint`; who and where as the finding's evidence; the target as a resource.
    func writeDetectionFinding(
        _ event: borrowing Event, kind: ActionClass, attributes: WellKnownAttributes,
        observables: inout OCSFObservables, unmapped: inout OCSFUnmappedExtras, into out: inout RecordWriter
    ) {
        out.key("finding_info")
        out.beginObject()
        writeEventUID(event, into: &out)
        out.field("title", event.action)
        out.field("desc", event.message)
        if let type = Self.findingType(kind) {
            out.key("types")
            out.beginArray()
            out.string(type)
            out.endArray()
        }
        if kind == .decision, attributes.ruleID != nil || attributes.ruleName != nil {
            out.key("analytic")
            out.beginObject()
            out.field("name", attributes.ruleName)
            out.field("type", constant: "Rule")
            out.key("type_id")
            out.int(1)
            out.field("uid", attributes.ruleID)
            out.field("version", attributes.ruleVersion)
            out.endObject()
        }
        out.endObject()

        if let confidence = event.confidence {
            out.key("confidence_score")
            out.int(Int64(confidence))
            let band = Self.confidenceBand(confidence)
            out.key("confidence_id")
            out.int(band.id)
            out.field("confidence", constant: band.caption)
        }
        out.key("is_alert")
        out.bool(event.severity >= .medium)

        if kind == .decision {
            writeSecurityControl(event, attributes: attributes, into: &out)
        }
        if let value = attributes.indicatorValue {
            let type = Self.osintType(stix: attributes.indicatorType)
            out.key("osint")
            out.beginArray()
            out.beginObject()
            out.key("type_id")
            out.int(type.id)
            out.field("type", type.caption)
            out.field("value", value)
            if let confidence = event.confidence {
                let band = Self.confidenceBand(confidence)
                out.key("confidence_id")
                out.int(band.id)
                out.field("confidence", constant: band.caption)
            }
            out.field("vendor_name", attributes.indicatorProvider)
            out.endObject()
            out.endArray()
        }
        writeEvidence(event, observables: &observables, unmapped: &unmapped, into: &out)
        if let target = event.target.nonEmptyText {
            out.key("resources")
            out.beginArray()
            out.beginObject()
            out.field("name", target)
            out.endObject()
            out.endArray()
        }
    }

    /// The verdict as the security_control profile's `action_id` ("the action taken by a control
    /// or other policy-based system") and `disposition_id` (its outcome): ALLOW 1 Allowed /
    /// 1 Allowed, DENY 2 Denied / 2 Blocked, REWRITE 4 Modified ("the activity was modified,
    /// adjusted, or corrected"), ESCALATE 99 with the verdict's own word, as OCSF's 99 "Other"
    /// prescribes ("See the action attribute, which contains a data source specific value").
    /// The rule's ruleset, else its name, is the `policy`.
    private func writeSecurityControl(
        _ event: borrowing Event, attributes: WellKnownAttributes, into out: inout RecordWriter
    ) {
        if let verdict = event.verdict {
            let (actionID, action, disposition): (Int64, StaticString, (Int64, StaticString)?) =
                switch verdict {
                case .allow: (1, "Allowed", (1, "Allowed"))
                case .deny: (2, "Denied", (2, "Blocked"))
                case .rewrite: (4, "Modified", nil)
                case .escalate: (99, "Escalate", nil)
                }
            out.key("action_id")
            out.int(actionID)
            out.field("action", constant: action)
            if let (id, caption) = disposition {
                out.key("disposition_id")
                out.int(id)
                out.field("disposition", constant: caption)
            }
        }
        let policyName = attributes.ruleRuleset ?? attributes.ruleName
        if attributes.ruleID != nil || policyName != nil {
            out.key("policy")
            out.beginObject()
            out.field("name", policyName)
            out.field("uid", attributes.ruleID)
            out.field("version", attributes.ruleVersion)
            out.endObject()
        }
    }

    /// One evidence entry when the event names an actor, a source or a destination (an entry
    /// holding only `http_request` would not satisfy the object's at-least-one constraint; the
    /// user agent then goes to `unmapped`).
    private func writeEvidence(
        _ event: borrowing Event, observables: inout OCSFObservables, unmapped: inout OCSFUnmappedExtras,
        into out: inout RecordWriter
    ) {
        let user = event.actorUser.nonEmptyText
        let service = event.actorService.nonEmptyText
        let source = OCSFEndpoint(address: event.sourceIP, port: event.sourcePort)
        let destination = OCSFEndpoint(address: event.destinationIP, port: event.destinationPort)
        if source.isEmpty { unmapped.sourcePort = source.port }
        if destination.isEmpty { unmapped.destinationPort = destination.port }
        guard user != nil || service != nil || !source.isEmpty || !destination.isEmpty else {
            unmapped.userAgent = event.userAgent.nonEmptyText
            return
        }
        out.key("evidences")
        out.beginArray()
        out.beginObject()
        if user != nil || service != nil {
            out.key("actor")
            out.beginObject()
            if let user {
                out.key("user")
                out.beginObject()
                out.field("name", user)
                out.endObject()
                observables.userName("evidences.actor.user.name", user)
            } else {
                out.field("app_name", service)
            }
            out.endObject()
        }
        if !source.isEmpty {
            source.write("src_endpoint", into: &out)
            observables.ip("evidences.src_endpoint.ip", source.ip)
        }
        if !destination.isEmpty {
            destination.write("dst_endpoint", into: &out)
            observables.ip("evidences.dst_endpoint.ip", destination.ip)
        }
        writeUserAgent(event.userAgent, into: &out)
        out.endObject()
        out.endArray()
    }

    /// `finding_info.types` (free text) for the kinds that have a name.
    static func findingType(_ kind: ActionClass) -> StaticString? {
        switch kind {
        case .indicatorMatch: return "IOC Match"
        case .posture: return "TLS Posture"
        case .decision: return "Policy Decision"
        default: return nil
        }
    }

    /// `confidence_id` from a 0–100 score, by the STIX 2.1 None/Low/Med/High scale (Appendix A:
    /// 0 None, 1–29 Low, 30–69 Medium, 70–100 High); "None" has no id of its own in OCSF's enum
    /// (0 Unknown, 1 Low, 2 Medium, 3 High, 99 Other), so it is 99 with the word.
    static func confidenceBand(_ score: Int16) -> (id: Int64, caption: StaticString) {
        switch score {
        case ..<1: return (99, "None")
        case 1..<30: return (1, "Low")
        case 30..<70: return (2, "Medium")
        default: return (3, "High")
        }
    }

    /// `osint.type_id` from the indicator's STIX 2.1 cyber-observable type; another type is 99
    /// with its own name, as OCSF's 99 "Other" prescribes.
    static func osintType(stix: String?) -> (id: Int64, caption: String) {
        switch stix?.lowercased() {
        case "ipv4-addr", "ipv6-addr": return (1, "IP Address")
        case "domain-name": return (2, "Domain")
        case "url": return (5, "URL")
        case "x509-certificate": return (7, "Digital Certificate")
        case "email-addr": return (9, "Email Address")
        case "file": return (11, "File")
        case .none: return (0, "Unknown")
        case .some(let other): return (99, other)
        }
    }
}
