/// One normalized security event: what every formatter renders.
///
/// Optional fields are nil when the row holds nothing (NULL or empty text); formatters omit them.
public struct Event: Sendable, Equatable {
    /// The source row id: the delivery watermark and the SIEM-side event id.
    public var eventID: Int64
    public var kind: String
    /// Seconds since the Unix epoch; 0 is a real time (1970-01-01T00:00:00Z), never "unset".
    public var occurredUnix: Int64
    public var registryID: String
    public var tokenID: String?
    public var fileID: String?
    public var recipientID: String?
    public var issuerID: String?
    public var sourceIP: String?
    public var userAgent: String?
    /// The RFC 3161 timestamp token's time, as the registry stored it.
    public var qualifiedTimestamp: String?
    public var tlogIndex: Int64?
    /// A non-empty JSON object, canonical, when present.
    public var extra: JSONText?

    public init(
        eventID: Int64, kind: String, occurredUnix: Int64, registryID: String, tokenID: String? = nil,
        fileID: String? = nil, recipientID: String? = nil, issuerID: String? = nil, sourceIP: String? = nil,
        userAgent: String? = nil, qualifiedTimestamp: String? = nil, tlogIndex: Int64? = nil,
        extra: JSONText? = nil
    ) {
        self.eventID = eventID
        self.kind = kind
        self.occurredUnix = occurredUnix
        self.registryID = registryID
        self.tokenID = tokenID
        self.fileID = fileID
        self.recipientID = recipientID
        self.issuerID = issuerID
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.qualifiedTimestamp = qualifiedTimestamp
        self.tlogIndex = tlogIndex
        self.extra = extra
    }

    /// The SIEM action name for this event's beacon kind.
    public var action: String { BeaconAction.name(forKind: kind) }

    /// `occurredUnix` as RFC 3339 UTC, second precision.
    public var occurredAt: String { RFC3339.string(fromUnixSeconds: occurredUnix) }
}

/// Action names the registry's existing export uses, so SIEM searches keep working.
public enum BeaconAction {
    public static func name(forKind kind: String) -> String {
        switch kind {
        case "dns": return "beacon-dns-callback"
        case "http_img": return "beacon-http-pixel"
        case "ocsp": return "beacon-ocsp-callback"
        case "license": return "beacon-license-check"
        default: return "beacon-" + kind
        }
    }
}
