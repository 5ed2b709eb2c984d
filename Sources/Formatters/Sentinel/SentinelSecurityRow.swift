import SIEMCore

/// The row of an audit, threat or decision event, for one custom table (`OversightSecurity_CL`,
/// declared in config/sentinel-security-table.json) beside the beacon's.
///
/// Column names are ASIM's where a field with the same meaning exists — the AuditEvent and
/// Authentication schemas for audit rows, AlertEvent's `EventType`/`EventSubType` for threat and
/// decision rows (learn.microsoft.com/azure/sentinel/normalization-schema-audit, -authentication,
/// normalization-schema-alert; types as in Azure-Sentinel `ASIM/dev/ASimTester/ASimTester.csv`) —
/// so an ASIM parser over the table is mostly renames-free. `Schema`, `Origin`, `Tenant` and
/// `Category` are ours: ASIM has no tenant column and `TenantId` is reserved by Log Analytics.
/// Constants an ASIM parser sets itself (`EventSchema`, `EventCount`, `EventProduct`,
/// `EventVendor`, whose values ASIM keeps a list of) are not stored.
extension SentinelFormatter {
    func encodeSecurityEvent(_ event: borrowing Event, into out: inout RecordWriter) {
        let actionClass = ActionClass(of: event)
        out.beginObject()
        // KQL keeps datetimes in 100 ns ticks (learn.microsoft.com/azure/kusto/query/scalar-data-types/datetime):
        // the fraction is cut to whole ticks, at most 7 digits, and left out when none remain.
        out.key("TimeGenerated")
        out.rfc3339(event.occurredUnix, nanos: event.occurredNanos / 100 * 100, maxDigits: 7)
        out.field("Schema", constant: Self.schemaName)
        out.field("Origin", event.origin)
        out.field("Tenant", event.tenant)
        out.field("Category", constant: event.category.constantName)
        out.key("EventOriginalUid")
        out.intString(event.eventID)
        out.field("Operation", event.action)
        out.field("EventType", constant: Self.eventType(actionClass))
        if let subType = Self.eventSubType(actionClass) { out.field("EventSubType", constant: subType) }
        out.field("EventResult", constant: Self.eventResult(event.outcome))
        if let severity = Self.eventSeverity(event.severity) {
            out.field("EventSeverity", constant: severity)
            out.field("EventOriginalSeverity", constant: event.severity.name)
        }
        out.field("EventMessage", event.message)
        out.field("ActorUsername", event.actorUser)
        // Authentication: TargetUsername is "the user information used to authenticate".
        if actionClass == .login || actionClass == .logout { out.field("TargetUsername", event.actorUser) }
        out.field("ActingAppName", event.actorService)
        out.field("Object", event.target)
        Self.writeAddress(event.sourceIP, ip: "SrcIpAddr", hostname: "SrcHostname", into: &out)
        out.field("SrcPortNumber", event.sourcePort)
        Self.writeAddress(event.destinationIP, ip: "TargetIpAddr", hostname: "TargetHostname", into: &out)
        out.field("TargetPortNumber", event.destinationPort)
        out.field("HttpUserAgent", event.userAgent)
        // "normalized to a value between 0 and a 100" (ASIM ThreatConfidence).
        out.field("ThreatConfidence", event.confidence)
        if let verdict = event.verdict {
            out.field("DvcAction", constant: Self.dvcAction(verdict))
            out.field("DvcOriginalAction", constant: verdict.upper)
        }
        // A `dynamic` column takes the object itself, queried as `AdditionalFields.key`.
        out.field("AdditionalFields", event.attributes)
        out.endObject()
    }

    /// An IP literal to the `…IpAddr` column, other text (a host name) to `…Hostname`.
    static func writeAddress(
        _ address: UTF8Text?, ip: StaticString, hostname: StaticString, into out: inout RecordWriter
    ) {
        guard let address, !address.isEmpty else { return }
        out.field(IPAddressSyntax.isIPAddress(address) ? ip : hostname, address)
    }

    /// AuditEvent {Set, Read, Create, Delete, …, Other}, Authentication {Logon, Logoff},
    /// AlertEvent {Alert}.
    static func eventType(_ actionClass: ActionClass) -> StaticString {
        switch actionClass {
        case .login: return "Logon"
        case .logout: return "Logoff"
        case .configuration(let verb), .dataAccess(let verb):
            switch verb {
            case .create: return "Create"
            case .read: return "Read"
            case .update: return "Set"
            case .delete: return "Delete"
            case .other: return "Other"
            }
        case .beacon, .otherAudit: return "Other"
        case .indicatorMatch, .posture, .otherThreat, .decision: return "Alert"
        }
    }

    /// AlertEvent {Threat, Suspicious Activity, Anomaly, Compliance Violation}: an indicator match
    /// is a threat, a TLS or certificate finding a compliance violation; others are not told apart.
    static func eventSubType(_ actionClass: ActionClass) -> StaticString? {
        switch actionClass {
        case .indicatorMatch: return "Threat"
        case .posture: return "Compliance Violation"
        default: return nil
        }
    }

    /// ASIM {Success, Partial, Failure, NA}: it has no "unknown", so NA.
    static func eventResult(_ outcome: EventOutcome) -> StaticString {
        switch outcome {
        case .success: return "Success"
        case .failure: return "Failure"
        case .unknown: return "NA"
        }
    }

    /// ASIM {Informational, Low, Medium, High}: critical is High (its name stays in
    /// `EventOriginalSeverity`); unknown has no value.
    static func eventSeverity(_ severity: EventSeverity) -> StaticString? {
        switch severity {
        case .unknown: return nil
        case .informational: return "Informational"
        case .low: return "Low"
        case .medium: return "Medium"
        case .high, .critical: return "High"
        }
    }

    static func dvcAction(_ verdict: EventVerdict) -> StaticString {
        switch verdict {
        case .allow: return "Allow"
        case .deny: return "Deny"
        case .escalate: return "Escalate"
        case .rewrite: return "Rewrite"
        }
    }
}
