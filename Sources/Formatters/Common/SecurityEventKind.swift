import SIEMCore

/// What kind of security event an audit, threat or decision event is, read from its category and
/// action: the classification contract that formatters choosing a class or type by kind (OCSF's
/// class and activity) share. The action text itself is always written as it came.
///
/// | category | action | kind |
/// |---|---|---|
/// | audit | `auth.login` / `auth.logout` | login / logout |
/// | audit | `config.<verb>`, `data.<verb>`, anything else | config / data / other audit |
/// | threat | `ioc.match`, or an `indicator.value` attribute | IOC match |
/// | threat | `tls.*`, `cert.*` | TLS or certificate posture |
/// | threat | anything else | other threat |
/// | decision | any | decision |
///
/// Actions are matched as the contract spells them (lowercase). The verb is the action's second
/// dotted segment; OCSF takes it for every audit action (`user.delete` is a Delete).
enum SecurityEventKind: Equatable, Sendable {
    case login, logout, config, data, otherAudit
    case iocMatch, posture, otherThreat
    case decision

    init(category: EventCategory, action: UTF8Text?, hasIndicator: Bool) {
        let (domain, verb) = Self.segments(action)
        switch category {
        case .audit, .beacon:
            switch (domain, verb) {
            case ("auth", "login"): self = .login
            case ("auth", "logout"): self = .logout
            case ("config", _): self = .config
            case ("data", _): self = .data
            default: self = .otherAudit
            }
        case .threat:
            if hasIndicator || (domain == "ioc" && verb == "match") {
                self = .iocMatch
            } else if domain == "tls" || domain == "cert" {
                self = .posture
            } else {
                self = .otherThreat
            }
        case .decision:
            self = .decision
        }
    }

    /// The first two dotted segments of an action.
    static func segments(_ action: UTF8Text?) -> (String, String) {
        guard let action else { return ("", "") }
        let parts = action.string.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        return (parts.first.map(String.init) ?? "", parts.count > 1 ? String(parts[1]) : "")
    }
}

/// The operation an action names by its second dotted segment (`config.update` → update).
enum ActionVerb: Equatable, Sendable {
    case create, read, update, delete, other

    init(action: UTF8Text?) {
        switch SecurityEventKind.segments(action).1 {
        case "create": self = .create
        case "read": self = .read
        case "update": self = .update
        case "delete": self = .delete
        default: self = .other
        }
    }
}
