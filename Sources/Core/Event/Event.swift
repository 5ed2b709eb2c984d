/// One canonical security event: what every formatter renders, whatever source it came from — a
/// beacon callback, an administrator's audit record, a threat signal, a policy decision.
///
/// Optional fields are nil when the source holds nothing (NULL or empty text); formatters omit
/// them. Each category's own fields sit beside the canonical ones (`beacon`); a category without
/// them leaves them empty. Every formatter maps these fields to its schema in one documented
/// table (docs/SOURCES.md).
public struct Event: Sendable, Equatable {
    // Declared first so that the synthesized memberwise initializer's parameters differ from the
    // public ones', which delegate to it (see the initializers below).
    /// Who produced the event: the registry's id for beacon rows, the source's `origin` else.
    /// Part of ids that must be unique across producers (Elasticsearch `_id`, OCSF `metadata.uid`).
    public var origin: String
    /// The source row id (or position): the delivery watermark and the SIEM-side event id.
    public var eventID: Int64
    /// Seconds since the Unix epoch; 0 is a real time (1970-01-01T00:00:00Z), never "unset".
    public var occurredUnix: Int64
    /// The fraction of the second, 0…999,999,999 ns; 0 for sources with whole seconds (formatters
    /// then write no fraction, as for every beacon event).
    public var occurredNanos: Int32
    public var category: EventCategory
    public var outcome: EventOutcome
    public var severity: EventSeverity
    /// The tenant of the source the event was read from (never taken from the event's body
    /// unless the config says so).
    public var tenant: UTF8Text?
    /// What happened (`auth.login`, `config.update`, `ioc.match`, …); nil for a beacon event,
    /// whose action is named after its kind (`actionName`).
    public var action: UTF8Text?
    /// Who acted: a user, or a service (at most one of the two).
    public var actorUser: UTF8Text?
    public var actorService: UTF8Text?
    /// The object acted on.
    public var target: UTF8Text?
    /// The source address as stored: an IP literal, or other text (formatters check).
    public var sourceIP: UTF8Text?
    public var sourcePort: Int32?
    public var destinationIP: UTF8Text?
    public var destinationPort: Int32?
    public var userAgent: UTF8Text?
    public var message: UTF8Text?
    /// 0–100, where the signal gives one (an IOC match).
    public var confidence: Int16?
    /// A policy decision's verdict.
    public var verdict: EventVerdict?
    /// A non-empty JSON object, canonical, when present: typed attributes (a beacon's `extra`).
    public var attributes: JSONText?
    /// The beacon category's own fields; empty for the other categories.
    public var beacon: BeaconFields

    /// The action as text: the canonical action, or for a beacon event the name of its kind.
    public var actionName: String {
        if let action { return action.string }
        return BeaconAction.name(forKind: beacon.kind)
    }

    /// `occurredUnix` as RFC 3339 UTC, second precision.
    public var occurredAt: String { RFC3339.string(fromUnixSeconds: occurredUnix) }
}

/// What a beacon callback carries besides the canonical fields.
public struct BeaconFields: Sendable, Equatable {
    /// `dns`, `http_img`, `ocsp`, `license`, or another the registry records.
    public var kind: UTF8Text?
    public var tokenID: UTF8Text?
    public var fileID: UTF8Text?
    public var recipientID: UTF8Text?
    public var issuerID: UTF8Text?
    /// The RFC 3161 timestamp token's time, as the registry stored it.
    public var qualifiedTimestamp: UTF8Text?
    /// The transparency-log index.
    public var tlogIndex: Int64?

    public init(
        kind: UTF8Text? = nil, tokenID: UTF8Text? = nil, fileID: UTF8Text? = nil, recipientID: UTF8Text? = nil,
        issuerID: UTF8Text? = nil, qualifiedTimestamp: UTF8Text? = nil, tlogIndex: Int64? = nil
    ) {
        self.kind = kind
        self.tokenID = tokenID
        self.fileID = fileID
        self.recipientID = recipientID
        self.issuerID = issuerID
        self.qualifiedTimestamp = qualifiedTimestamp
        self.tlogIndex = tlogIndex
    }
}

extension Event {
    /// A beacon callback. Delegates to the synthesized memberwise initializer: one that assigns
    /// the `var` properties one by one builds the event in a local and copies it out (Swift 6.3
    /// -O), a retain and a release of every text field of every event the mapper makes.
    public init(
        eventID: Int64, kind: UTF8Text, occurredUnix: Int64, registryID: String, tokenID: UTF8Text? = nil,
        fileID: UTF8Text? = nil, recipientID: UTF8Text? = nil, issuerID: UTF8Text? = nil, sourceIP: UTF8Text? = nil,
        userAgent: UTF8Text? = nil, qualifiedTimestamp: UTF8Text? = nil, tlogIndex: Int64? = nil,
        extra: JSONText? = nil, tenant: UTF8Text? = nil
    ) {
        self.init(
            origin: registryID, eventID: eventID, occurredUnix: occurredUnix, occurredNanos: 0, category: .beacon,
            outcome: .success, severity: .informational, tenant: tenant, action: nil, actorUser: nil,
            actorService: nil, target: nil, sourceIP: sourceIP, sourcePort: nil, destinationIP: nil,
            destinationPort: nil, userAgent: userAgent, message: nil, confidence: nil, verdict: nil,
            attributes: extra,
            beacon: BeaconFields(
                kind: kind, tokenID: tokenID, fileID: fileID, recipientID: recipientID, issuerID: issuerID,
                qualifiedTimestamp: qualifiedTimestamp, tlogIndex: tlogIndex))
    }

    /// An event of any category but the beacon's, with only what it carries given.
    public init(
        category: EventCategory, eventID: Int64, occurredUnix: Int64, occurredNanos: Int32 = 0, origin: String,
        action: UTF8Text, tenant: UTF8Text? = nil, outcome: EventOutcome = .unknown,
        severity: EventSeverity = .unknown, actorUser: UTF8Text? = nil, actorService: UTF8Text? = nil,
        target: UTF8Text? = nil, sourceIP: UTF8Text? = nil, sourcePort: Int32? = nil, destinationIP: UTF8Text? = nil,
        destinationPort: Int32? = nil, userAgent: UTF8Text? = nil, message: UTF8Text? = nil, confidence: Int16? = nil,
        verdict: EventVerdict? = nil, attributes: JSONText? = nil
    ) {
        self.init(
            origin: origin, eventID: eventID, occurredUnix: occurredUnix, occurredNanos: occurredNanos,
            category: category, outcome: outcome, severity: severity, tenant: tenant, action: action,
            actorUser: actorUser, actorService: actorService, target: target, sourceIP: sourceIP,
            sourcePort: sourcePort, destinationIP: destinationIP, destinationPort: destinationPort,
            userAgent: userAgent, message: message, confidence: confidence, verdict: verdict,
            attributes: attributes, beacon: BeaconFields())
    }
}

/// Action names the registry's existing export uses, so SIEM searches keep working.
public enum BeaconAction {
    public static func name(forKind kind: UTF8Text?) -> String {
        guard let kind else { return "beacon" }
        return knownName(forKind: kind).map { $0.description } ?? "beacon-" + kind.string
    }

    /// The name of one of the registry's four kinds, nil for any other.
    public static func knownName(forKind kind: UTF8Text?) -> StaticString? {
        guard let kind else { return nil }
        if kind.equals("dns") { return "beacon-dns-callback" }
        if kind.equals("http_img") { return "beacon-http-pixel" }
        if kind.equals("ocsp") { return "beacon-ocsp-callback" }
        if kind.equals("license") { return "beacon-license-check" }
        return nil
    }
}

extension RecordWriter {
    /// `"name":"<action name>"` for an event, without making a `String` for the known kinds.
    public mutating func field(_ name: StaticString, actionOf event: borrowing Event) {
        key(name)
        string(actionOf: event)
    }

    /// The event's action as a JSON string value.
    public mutating func string(actionOf event: borrowing Event) {
        if let action = event.action {
            string(action)
        } else if let known = BeaconAction.knownName(forKind: event.beacon.kind) {
            string(known)
        } else {
            string(event.actionName)
        }
    }
}
