/// What kind of security event it is; formatters choose a class or category by it.
public enum EventCategory: String, Sendable, CaseIterable, OptionChoice {
    /// A beacon callback the registry recorded (DNS lookup, HTTP pixel, OCSP check, licence check).
    case beacon
    /// An administrator's or user's action: a login, a configuration change, data access.
    case audit
    /// A threat signal: TLS or certificate posture, an indicator-of-compromise match.
    case threat
    /// A policy decision a gateway made (allow, deny, escalate, rewrite), delivered as a finding.
    case decision
}

/// Whether what the event records succeeded, from the point of view of whoever recorded it.
public enum EventOutcome: String, Sendable, CaseIterable, OptionChoice {
    case success, failure, unknown
}

/// The fixed severity scale every target's severity is derived from; its numbers are OCSF's
/// `severity_id` (0 Unknown … 5 Critical), so one number means the same in every output. Each
/// target's mapping is in docs/SOURCES.md.
public enum EventSeverity: Int8, Sendable, CaseIterable, Comparable {
    case unknown = 0
    case informational = 1
    case low = 2
    case medium = 3
    case high = 4
    case critical = 5

    /// The scale's names; `info` and `warning` are accepted as `informational` and `medium`.
    public init?(name: String) {
        switch name.lowercased() {
        case "unknown": self = .unknown
        case "informational", "info": self = .informational
        case "low": self = .low
        case "medium", "warning": self = .medium
        case "high": self = .high
        case "critical": self = .critical
        default: return nil
        }
    }

    public var name: StaticString {
        switch self {
        case .unknown: return "unknown"
        case .informational: return "informational"
        case .low: return "low"
        case .medium: return "medium"
        case .high: return "high"
        case .critical: return "critical"
        }
    }

    /// Every name `init(name:)` takes.
    public static let names = ["unknown", "informational", "info", "low", "medium", "warning", "high", "critical"]

    public static func < (a: EventSeverity, b: EventSeverity) -> Bool { a.rawValue < b.rawValue }
}

/// A policy decision's verdict.
public enum EventVerdict: String, Sendable, CaseIterable, OptionChoice {
    case allow, deny, escalate, rewrite

    /// The verdict as gateways write it: `ALLOW`, `DENY`, `ESCALATE`, `REWRITE`.
    public var upper: StaticString {
        switch self {
        case .allow: return "ALLOW"
        case .deny: return "DENY"
        case .escalate: return "ESCALATE"
        case .rewrite: return "REWRITE"
        }
    }
}
