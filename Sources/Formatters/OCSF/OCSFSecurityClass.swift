import SIEMCore

/// The OCSF 1.8.0 class, activity and status an audit, threat or decision event is written as,
/// with the ids and captions the schema pairs with them (schema.ocsf.io/1.8.0).
///
/// The kind is the classification contract's (`ActionClass`, shared with the other targets).
///
/// - audit: API Activity (6003, category 6 "Application Activity"), its activity from the
///   action's verb, the second dotted segment of any audit action (Create 1, Read 2, Update 3,
///   Delete 4, else 99 "Other": `user.delete` is a Delete too); a login or logout
///   with a user or service to name is Authentication (3002, category 3 "Identity & Access
///   Management", Logon 1 / Logoff 2), which requires `user`, so one without falls back to 6003.
/// - threat and decision: Detection Finding (2004, category 2 "Findings", activity 1 "Create",
///   status 1 "New"), OCSF's class for "a detection … as a result of a security control".
///
/// `type_uid` is `class_uid × 100 + activity_id` and `type_name` "<class>: <activity>", as
/// the schema's enums say; scripts/validate-ocsf.py checks both for every golden event.
enum OCSFSecurityClass: Equatable, Sendable {
    case apiActivity(CRUDVerb)
    case authentication(logoff: Bool)
    case detectionFinding

    init(kind: ActionClass, event: borrowing Event) {
        let hasActor = event.actorUser.nonEmptyText != nil || event.actorService.nonEmptyText != nil
        switch kind {
        case .login where hasActor: self = .authentication(logoff: false)
        case .logout where hasActor: self = .authentication(logoff: true)
        case .configuration(let verb), .dataAccess(let verb): self = .apiActivity(verb)
        case .login, .logout, .otherAudit, .beacon: self = .apiActivity(Self.verb(of: event.action))
        case .indicatorMatch, .posture, .otherThreat, .decision: self = .detectionFinding
        }
    }

    /// The second dotted segment of an action as a verb (`user.delete` → delete).
    static func verb(of action: UTF8Text?) -> CRUDVerb {
        guard let action else { return .other }
        return action.withUTF8 { bytes in
            guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return .other }
            return CRUDVerb(bytes[(dot + 1)...].prefix { $0 != UInt8(ascii: ".") })
        }
    }

    var classUID: Int64 {
        switch self {
        case .apiActivity: return 6003
        case .authentication: return 3002
        case .detectionFinding: return 2004
        }
    }

    var className: StaticString {
        switch self {
        case .apiActivity: return "API Activity"
        case .authentication: return "Authentication"
        case .detectionFinding: return "Detection Finding"
        }
    }

    var categoryUID: Int64 {
        switch self {
        case .apiActivity: return 6
        case .authentication: return 3
        case .detectionFinding: return 2
        }
    }

    var categoryName: StaticString {
        switch self {
        case .apiActivity: return "Application Activity"
        case .authentication: return "Identity & Access Management"
        case .detectionFinding: return "Findings"
        }
    }

    var activityID: Int64 {
        switch self {
        case .apiActivity(.create): return 1
        case .apiActivity(.read): return 2
        case .apiActivity(.update): return 3
        case .apiActivity(.delete): return 4
        case .apiActivity(.other): return 99
        case .authentication(let logoff): return logoff ? 2 : 1
        case .detectionFinding: return 1
        }
    }

    /// For 99 the caption "Other": the action itself is in `api.operation`.
    var activityName: StaticString {
        switch self {
        case .apiActivity(.create): return "Create"
        case .apiActivity(.read): return "Read"
        case .apiActivity(.update): return "Update"
        case .apiActivity(.delete): return "Delete"
        case .apiActivity(.other): return "Other"
        case .authentication(let logoff): return logoff ? "Logoff" : "Logon"
        case .detectionFinding: return "Create"
        }
    }

    /// Writes the classification, severity and status pairs, in the beacon events' order.
    func writeHeader(_ event: borrowing Event, into out: inout RecordWriter) {
        out.key("activity_id")
        out.int(activityID)
        out.field("activity_name", constant: activityName)
        out.key("category_uid")
        out.int(categoryUID)
        out.field("category_name", constant: categoryName)
        out.key("class_uid")
        out.int(classUID)
        out.field("class_name", constant: className)
        out.key("type_uid")
        out.int(classUID * 100 + activityID)
        out.key("type_name")
        out.beginString()
        out.stringContents(className)
        out.stringContents(": " as StaticString)
        out.stringContents(activityName)
        out.endString()
        out.key("severity_id")
        out.int(Int64(event.severity.rawValue))
        out.field("severity", constant: Self.severityCaption(event.severity))
        let (statusID, status) = self == .detectionFinding ? (1, "New") : Self.status(event.outcome)
        out.key("status_id")
        out.int(statusID)
        out.field("status", constant: status)
    }

    /// The base event's `severity_id` captions; the scale's numbers are OCSF's ids.
    static func severityCaption(_ severity: EventSeverity) -> StaticString {
        switch severity {
        case .unknown: return "Unknown"
        case .informational: return "Informational"
        case .low: return "Low"
        case .medium: return "Medium"
        case .high: return "High"
        case .critical: return "Critical"
        }
    }

    /// An activity's `status_id` from the outcome (0 Unknown, 1 Success, 2 Failure). A finding's
    /// status is its own lifecycle (1 New); its outcome goes to `unmapped`.
    static func status(_ outcome: EventOutcome) -> (Int64, StaticString) {
        switch outcome {
        case .success: return (1, "Success")
        case .failure: return (2, "Failure")
        case .unknown: return (0, "Unknown")
        }
    }
}
