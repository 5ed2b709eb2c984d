import SIEMCore

/// The canonical names of the event's enumerations as constants, so that a formatter writes them
/// without making a `String` per event.
extension EventCategory {
    var constantName: StaticString {
        switch self {
        case .beacon: return "beacon"
        case .audit: return "audit"
        case .threat: return "threat"
        case .decision: return "decision"
        }
    }
}

extension EventOutcome {
    var constantName: StaticString {
        switch self {
        case .success: return "success"
        case .failure: return "failure"
        case .unknown: return "unknown"
        }
    }
}
