import SIEMCore

/// The OCSF 1.8.0 event classes a beacon event can be written as, with the ids and captions
/// the schema pairs with them.
///
/// Ids and captions are those of the OCSF 1.8.0 schema (schema.ocsf.io/1.8.0): Network
/// Activity (4001, category 4 "Network Activity") and Detection Finding (2004, category 2
/// "Findings"). Security Finding (2001) is deprecated since OCSF 1.1.0 and is not offered.
/// `type_uid` is `class_uid × 100 + activity_id`, and every `*_name` is the caption of its id,
/// as the schema requires of a sibling pair; tests check both against the published schema.
public enum OCSFEventClass: String, CaseIterable, Sendable {
    /// A callback is observed network traffic: class 4001, activity 6 "Traffic"
    /// ("network traffic report"), status 1 "Success".
    case networkActivity = "network_activity"
    /// A callback is a finding: class 2004, activity 1 "Create", status 1 "New".
    case detectionFinding = "detection_finding"

    public var classUID: Int64 {
        switch self {
        case .networkActivity: return 4001
        case .detectionFinding: return 2004
        }
    }

    public var className: StaticString {
        switch self {
        case .networkActivity: return "Network Activity"
        case .detectionFinding: return "Detection Finding"
        }
    }

    public var categoryUID: Int64 {
        switch self {
        case .networkActivity: return 4
        case .detectionFinding: return 2
        }
    }

    public var categoryName: StaticString {
        switch self {
        case .networkActivity: return "Network Activity"
        case .detectionFinding: return "Findings"
        }
    }

    public var activityID: Int64 {
        switch self {
        case .networkActivity: return 6
        case .detectionFinding: return 1
        }
    }

    public var activityName: StaticString {
        switch self {
        case .networkActivity: return "Traffic"
        case .detectionFinding: return "Create"
        }
    }

    public var typeUID: Int64 { classUID * 100 + activityID }

    /// `type_name`: "<class caption>: <activity caption>".
    public var typeName: String { "\(className): \(activityName)" }

    public var statusID: Int64 { 1 }

    public var statusName: StaticString {
        switch self {
        case .networkActivity: return "Success"
        case .detectionFinding: return "New"
        }
    }
}

/// OCSF `severity_id` values 1–5 with their captions (the base event's enum).
public enum OCSFSeverity: String, CaseIterable, Sendable {
    case informational, low, medium, high, critical

    public var id: Int64 {
        switch self {
        case .informational: return 1
        case .low: return 2
        case .medium: return 3
        case .high: return 4
        case .critical: return 5
        }
    }

    public var caption: StaticString {
        switch self {
        case .informational: return "Informational"
        case .low: return "Low"
        case .medium: return "Medium"
        case .high: return "High"
        case .critical: return "Critical"
        }
    }
}
