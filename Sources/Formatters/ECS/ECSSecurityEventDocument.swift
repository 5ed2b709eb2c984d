import SIEMCore

/// The ECS document of an audit, threat or decision event (the beacon's is `ECSFormatter.encode`).
///
/// Every field below is defined with this name and type in ECS 8.11 through 9.4
/// (elastic/ecs `generated/ecs/ecs_flat.yml`; ECSSecurityEventTests checks each emitted field
/// against the vendored definitions). Categorization follows "ECS Categorization Fields"
/// (elastic.co/guide/en/ecs/8.11/ecs-category-field-values-reference.html): each
/// `event.category` is written only with `event.type` values ECS lists as expected for it.
/// Canonical fields without an ECS home (service actor, target, confidence, verdict, the category)
/// go under the custom `oversight` namespace and, as keywords, under `labels`, like the beacon's.
extension ECSFormatter {
    func encodeSecurityEvent(_ event: borrowing Event, into out: inout RecordWriter) {
        let actionClass = ActionClass(of: event)
        out.beginObject()
        out.key("@timestamp")
        out.rfc3339(event.occurredUnix, nanos: event.occurredNanos)
        out.key("ecs")
        out.beginObject()
        out.key("version")
        out.string(ecsVersion)
        out.endObject()

        out.key("event")
        out.beginObject()
        // `alert`: "an alert or notable event, triggered by a detection rule executing externally
        // to the Elastic Stack … often populated for events coming from firewalls, intrusion
        // detection systems" (elastic.co/guide/en/ecs/8.11/ecs-allowed-values-event-kind.html) — a
        // threat signal or a gateway's policy decision; an audit record is an `event`.
        out.field("kind", constant: event.category == .audit ? "event" : "alert")
        Self.writeCategorization(actionClass, verdict: event.verdict, into: &out)
        out.field("dataset", constant: Self.dataset(event.category))
        out.field("module", constant: "oversight")
        out.field("provider", event.origin)
        out.field("action", event.action)
        out.key("id")
        out.intString(event.eventID)
        // "unknown should not be used when an outcome doesn't make logical sense" (ecs_flat.yml,
        // event.outcome): a threat signal has one only when its source says so.
        if event.outcome != .unknown || event.category != .threat {
            out.field("outcome", constant: event.outcome.constantName)
        }
        if event.severity != .unknown {
            out.key("severity")
            out.int(Int64(event.severity.rawValue))
        }
        out.endObject()

        if let tenant = event.tenant, !tenant.isEmpty {
            out.key("organization")
            out.beginObject()
            out.field("id", tenant)
            out.endObject()
        }
        if let user = event.actorUser, !user.isEmpty {
            out.key("user")
            out.beginObject()
            out.field("name", user)
            out.endObject()
        }
        // Raw address always in `.address`, duplicated to `.ip` only when it is one: `ip` fields
        // make Elasticsearch refuse a document holding anything else (as for the beacon).
        // Each address parsed once: it decides `.ip` and `related.ip`.
        let sourceIsIP = event.sourceIP.map(IPAddressSyntax.isIPAddress) ?? false
        let destinationIsIP = event.destinationIP.map(IPAddressSyntax.isIPAddress) ?? false
        Self.writeEndpoint(
            "source", address: event.sourceIP, isIP: sourceIsIP, port: event.sourcePort, into: &out)
        Self.writeEndpoint(
            "destination", address: event.destinationIP, isIP: destinationIsIP, port: event.destinationPort,
            into: &out)
        Self.writeRelated(event, sourceIsIP: sourceIsIP, destinationIsIP: destinationIsIP, into: &out)
        if let userAgent = event.userAgent, !userAgent.isEmpty {
            out.key("user_agent")
            out.beginObject()
            out.field("original", userAgent)
            out.endObject()
        }
        out.field("message", event.message)

        // `labels`: "all values are stored as keyword" (ecs_flat.yml) — indexed without a custom
        // mapping, so the facets an analyst filters on are there too.
        out.key("labels")
        out.beginObject()
        out.field("oversight_category", constant: event.category.constantName)
        out.field("oversight_actor_service", event.actorService)
        out.field("oversight_target", event.target)
        if let verdict = event.verdict { out.field("oversight_verdict", constant: verdict.upper) }
        out.endObject()

        out.key("oversight")
        out.beginObject()
        out.field("schema", constant: Self.schemaName)
        out.field("category", constant: event.category.constantName)
        out.field("actor_service", event.actorService)
        out.field("target", event.target)
        // ECS's own confidence fields take STIX words (`threat.indicator.confidence`, keyword),
        // "vendor-specific confidence scales may be added as custom fields": the 0–100 score here.
        out.field("confidence", event.confidence)
        if let verdict = event.verdict { out.field("verdict", constant: verdict.upper) }
        out.field("attributes", event.attributes)
        out.endObject()
        out.endObject()
    }

    /// `event.category` and `event.type`, each pair one that ECS lists as expected
    /// (`expected_event_types` of `event.category` in ecs_flat.yml).
    static func writeCategorization(_ actionClass: ActionClass, verdict: EventVerdict?, into out: inout RecordWriter) {
        let category: StaticString
        var types: (StaticString, StaticString?)
        switch actionClass {
        case .beacon, .otherAudit:
            (category, types) = ("api", ("info", nil))
        case .login:
            (category, types) = ("authentication", ("start", nil))
        case .logout:
            (category, types) = ("authentication", ("end", nil))
        case .configuration(let verb):
            category = "configuration"
            switch verb {
            case .create: types = ("creation", nil)
            case .read: types = ("access", nil)
            case .update: types = ("change", nil)
            case .delete: types = ("deletion", nil)
            case .other: types = ("info", nil)
            }
        case .dataAccess(let verb):
            // `database` admits access, change, info and error only.
            category = "database"
            switch verb {
            case .read: types = ("access", nil)
            case .create, .update, .delete: types = ("change", nil)
            case .other: types = ("info", nil)
            }
        case .indicatorMatch:
            (category, types) = ("threat", ("indicator", nil))
        case .posture:
            (category, types) = ("configuration", ("info", nil))
        case .otherThreat:
            (category, types) = ("intrusion_detection", ("info", nil))
        case .decision:
            // `api` is the one category whose expected types admit every verdict.
            category = "api"
            switch verdict {
            case .allow: types = ("allowed", nil)
            case .deny: types = ("denied", nil)
            case .rewrite: types = ("allowed", "change")
            case .escalate, nil: types = ("info", nil)
            }
        }
        out.key("category")
        out.beginArray()
        out.string(category)
        out.endArray()
        out.key("type")
        out.beginArray()
        out.string(types.0)
        if let second = types.1 { out.string(second) }
        out.endArray()
    }

    static func writeEndpoint(
        _ name: StaticString, address: UTF8Text?, isIP: Bool, port: Int32?, into out: inout RecordWriter
    ) {
        let address = address.flatMap { $0.isEmpty ? nil : $0 }
        guard address != nil || port != nil else { return }
        out.key(name)
        out.beginObject()
        if let address {
            out.field("address", address)
            if isIP { out.field("ip", address) }
        }
        out.field("port", port)
        out.endObject()
    }

    /// `related.ip` (the addresses that are IPs, once each) and `related.user`, for pivoting
    /// across documents ("all the IPs seen on your event", ecs_flat.yml).
    static func writeRelated(
        _ event: borrowing Event, sourceIsIP: Bool, destinationIsIP: Bool, into out: inout RecordWriter
    ) {
        let sourceIP = sourceIsIP ? event.sourceIP : nil
        var destinationIP = destinationIsIP ? event.destinationIP : nil
        if destinationIP == sourceIP { destinationIP = nil }
        let user = event.actorUser.flatMap { $0.isEmpty ? nil : $0 }
        guard sourceIP != nil || destinationIP != nil || user != nil else { return }
        out.key("related")
        out.beginObject()
        if sourceIP != nil || destinationIP != nil {
            out.key("ip")
            out.beginArray()
            if let sourceIP { out.string(sourceIP) }
            if let destinationIP { out.string(destinationIP) }
            out.endArray()
        }
        if let user {
            out.key("user")
            out.beginArray()
            out.string(user)
            out.endArray()
        }
        out.endObject()
    }

    static func dataset(_ category: EventCategory) -> StaticString {
        switch category {
        case .beacon: return "oversight.beacon"
        case .audit: return "oversight.audit"
        case .threat: return "oversight.threat"
        case .decision: return "oversight.decision"
        }
    }
}
