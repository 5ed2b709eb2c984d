/// One normalized security event: what every formatter renders.
///
/// Optional fields are nil when the row holds nothing (NULL or empty text); formatters omit them.
public struct Event: Sendable, Equatable {
    // Declared first so that the synthesized memberwise initializer's parameters differ from the
    // public one's, which can then delegate to it (see the initializer below).
    public var registryID: String
    /// The source row id: the delivery watermark and the SIEM-side event id.
    public var eventID: Int64
    public var kind: UTF8Text
    /// Seconds since the Unix epoch; 0 is a real time (1970-01-01T00:00:00Z), never "unset".
    public var occurredUnix: Int64
    public var tokenID: UTF8Text?
    public var fileID: UTF8Text?
    public var recipientID: UTF8Text?
    public var issuerID: UTF8Text?
    public var sourceIP: UTF8Text?
    public var userAgent: UTF8Text?
    /// The RFC 3161 timestamp token's time, as the registry stored it.
    public var qualifiedTimestamp: UTF8Text?
    public var tlogIndex: Int64?
    /// A non-empty JSON object, canonical, when present.
    public var extra: JSONText?

    /// The SIEM action name for this event's beacon kind.
    public var action: String { BeaconAction.name(forKind: kind) }

    /// `occurredUnix` as RFC 3339 UTC, second precision.
    public var occurredAt: String { RFC3339.string(fromUnixSeconds: occurredUnix) }
}

extension Event {
    /// Delegates to the synthesized memberwise initializer: one that assigns these `var`
    /// properties one by one builds the event in a local and copies it out (Swift 6.3 -O), a
    /// retain and a release of every text field of every event the mapper makes.
    public init(
        eventID: Int64, kind: UTF8Text, occurredUnix: Int64, registryID: String, tokenID: UTF8Text? = nil,
        fileID: UTF8Text? = nil, recipientID: UTF8Text? = nil, issuerID: UTF8Text? = nil, sourceIP: UTF8Text? = nil,
        userAgent: UTF8Text? = nil, qualifiedTimestamp: UTF8Text? = nil, tlogIndex: Int64? = nil,
        extra: JSONText? = nil
    ) {
        self.init(
            registryID: registryID, eventID: eventID, kind: kind, occurredUnix: occurredUnix, tokenID: tokenID,
            fileID: fileID, recipientID: recipientID, issuerID: issuerID, sourceIP: sourceIP, userAgent: userAgent,
            qualifiedTimestamp: qualifiedTimestamp, tlogIndex: tlogIndex, extra: extra)
    }
}

/// Action names the registry's existing export uses, so SIEM searches keep working.
public enum BeaconAction {
    public static func name(forKind kind: UTF8Text) -> String {
        knownName(forKind: kind).map { $0.description } ?? "beacon-" + kind.string
    }

    /// The name of one of the registry's four kinds, nil for any other.
    public static func knownName(forKind kind: UTF8Text) -> StaticString? {
        if kind.equals("dns") { return "beacon-dns-callback" }
        if kind.equals("http_img") { return "beacon-http-pixel" }
        if kind.equals("ocsp") { return "beacon-ocsp-callback" }
        if kind.equals("license") { return "beacon-license-check" }
        return nil
    }
}

extension RecordWriter {
    /// `"name":"<action name>"` for an event, without making a `String` for the known kinds.
    public mutating func field(_ name: StaticString, actionOf event: Event) {
        key(name)
        string(actionOf: event)
    }

    /// The event's action name as a JSON string value.
    public mutating func string(actionOf event: Event) {
        if let known = BeaconAction.knownName(forKind: event.kind) {
            string(known)
        } else {
            string(event.action)
        }
    }
}
