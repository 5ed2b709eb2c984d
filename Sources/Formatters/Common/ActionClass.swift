import SIEMCore

/// What an event is, read from its category and action by the classification contract of
/// docs/SOURCES.md: several targets choose a category, class or event type by it (ECS
/// `event.category`/`event.type`, ASIM `EventType`). Found once per event, from the action's bytes,
/// without making a `String`.
///
/// | category | action | class |
/// |---|---|---|
/// | audit | `auth.login` / `auth.logout` | `login` / `logout` |
/// | audit | `config.<verb>` | `configuration(verb)` |
/// | audit | `data.<verb>` | `dataAccess(verb)` |
/// | audit | anything else | `otherAudit` |
/// | threat | `ioc.match` | `indicatorMatch` |
/// | threat | `tls.…`, `cert.…` | `posture` |
/// | threat | anything else | `otherThreat` |
/// | decision | any | `decision` |
///
/// `<verb>` is the second dotted segment: `create`, `read`, `update`, `delete`, else `other`.
/// Actions are matched exactly as written (lowercase, as the contract spells them).
enum ActionClass: Equatable, Sendable {
    case beacon
    case login, logout
    case configuration(CRUDVerb)
    case dataAccess(CRUDVerb)
    case otherAudit
    case indicatorMatch
    case posture
    case otherThreat
    case decision

    init(of event: borrowing Event) {
        switch event.category {
        case .beacon: self = .beacon
        case .decision: self = .decision
        case .audit: self = Self.audit(event.action)
        case .threat: self = Self.threat(event.action)
        }
    }

    private static func audit(_ action: borrowing UTF8Text?) -> ActionClass {
        switch action {
        case .some(let text):
            if text.equals("auth.login") { return .login }
            if text.equals("auth.logout") { return .logout }
            return text.withUTF8 { bytes in
                if let verb = verb(after: "config.", in: bytes) { return .configuration(verb) }
                if let verb = verb(after: "data.", in: bytes) { return .dataAccess(verb) }
                return .otherAudit
            }
        case .none:
            return .otherAudit
        }
    }

    private static func threat(_ action: borrowing UTF8Text?) -> ActionClass {
        switch action {
        case .some(let text):
            if text.equals("ioc.match") { return .indicatorMatch }
            return text.withUTF8 { bytes in
                hasPrefix("tls.", bytes) || hasPrefix("cert.", bytes) ? .posture : .otherThreat
            }
        case .none:
            return .otherThreat
        }
    }

    /// The verb of `<prefix><verb>[.…]`, or nil when the action does not start with `prefix`.
    private static func verb(after prefix: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> CRUDVerb? {
        guard hasPrefix(prefix, bytes) else { return nil }
        let rest = bytes[prefix.utf8CodeUnitCount...]
        let segment = rest.prefix { $0 != UInt8(ascii: ".") }
        return CRUDVerb(segment)
    }

    private static func hasPrefix(_ prefix: StaticString, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { prefixBytes in bytes.prefix(count).elementsEqual(prefixBytes) }
    }
}

/// The verb of a `config.<verb>` or `data.<verb>` action.
enum CRUDVerb: Equatable, Sendable {
    case create, read, update, delete, other

    init(_ segment: Slice<UnsafeBufferPointer<UInt8>>) {
        func equals(_ word: StaticString) -> Bool {
            word.withUTF8Buffer { segment.elementsEqual($0) }
        }
        if equals("create") {
            self = .create
        } else if equals("read") {
            self = .read
        } else if equals("update") {
            self = .update
        } else if equals("delete") {
            self = .delete
        } else {
            self = .other
        }
    }
}
