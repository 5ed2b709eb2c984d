import SIEMCore

/// A target defined in YAML alone: an ordered tree of output keys whose values are event
/// fields, constants or a few functions, so an operator adds an in-house SIEM without Swift.
///
/// Like every formatter it omits what the event lacks (a member whose value is empty is left out,
/// never null) and it is schema-pinned: `version` names the output contract, and
/// `siem-export golden check --config FILE` compares the output for a fixed set of sample events
/// with the golden file named by `golden` (`--update` records it).
public struct TemplateFormatter: EventFormatter {
    public static let id = "template"
    public static let summary = "A JSON shape defined in the config (fields, constants, rfc3339/epoch/lower/json)"
    /// The template's own `version` is its contract; this names the family.
    public static let schema: SchemaVersion = "template"
    public static let framings = FramingKind.documents
    public static let categories = EventCategory.allCases

    public struct Options: PluginOptions {
        public var version = ""
        public var fields: [TemplateField] = []
        public var golden: String?

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "version", \.version,
                help: "the template's schema version, e.g. acme-1 (change it with any output change)",
                required: true),
            .init(
                "fields", \.fields,
                help:
                    "the output object: a list of `key: value` (field name, {const: …}, {rfc3339: occurred}, …, or a nested list)",
                required: true,
                check: { fields in
                    if fields.isEmpty { return "must list at least one field" }
                    if let repeated = repeatedKey(fields) { return "key '\(repeated)' appears twice in one object" }
                    return nil
                }),
            .init("golden", \.golden, help: "golden file beside the config, checked by `siem-export golden check`"),
        ]

        public init() {}

        static func repeatedKey(_ fields: [TemplateField]) -> String? {
            var seen: Set<String> = []
            for field in fields {
                if !seen.insert(field.key).inserted { return field.key }
                if case .object(let inner) = field.value, let repeated = repeatedKey(inner) { return repeated }
            }
            return nil
        }
    }

    public let version: String
    /// The golden file, resolved against the config's directory.
    public let goldenPath: String?
    let fields: [TemplateField]

    public init(options: Options, context: PluginContext) throws {
        version = options.version
        goldenPath = options.golden.map(context.resolve(path:))
        fields = options.fields
    }

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        Self.writeObject(fields, event, &out)
    }

    static func writeObject(_ fields: [TemplateField], _ event: Event, _ out: inout RecordWriter) {
        out.beginObject()
        for field in fields where !isEmpty(field.value, event) {
            out.key(field.key)
            write(field.value, event, &out)
        }
        out.endObject()
    }

    /// Whether a value has nothing to write (a missing field, or an object all of whose members are).
    static func isEmpty(_ value: TemplateValue, _ event: Event) -> Bool {
        switch value {
        case .constant: return false
        case .field(let source), .function(_, let source): return !has(source, event)
        case .object(let members): return members.allSatisfy { isEmpty($0.value, event) }
        }
    }

    static func has(_ source: TemplateField.Source, _ event: Event) -> Bool {
        switch source {
        case .id, .eventID, .time, .occurred, .origin, .registryID, .category, .action, .outcome, .severity,
            .severityID:
            return true
        case .kind: return event.beacon.kind != nil
        case .tenant: return event.tenant.nonEmptyText != nil
        case .actorUser: return event.actorUser.nonEmptyText != nil
        case .actorService: return event.actorService.nonEmptyText != nil
        case .target: return event.target.nonEmptyText != nil
        case .sourceIP: return event.sourceIP != nil
        case .sourcePort: return event.sourcePort != nil
        case .destinationIP: return event.destinationIP.nonEmptyText != nil
        case .destinationPort: return event.destinationPort != nil
        case .userAgent: return event.userAgent != nil
        case .message: return event.message.nonEmptyText != nil
        case .confidence: return event.confidence != nil
        case .verdict: return event.verdict != nil
        case .attributes, .extra: return event.attributes != nil
        case .tokenID: return event.beacon.tokenID != nil
        case .fileID: return event.beacon.fileID != nil
        case .recipientID: return event.beacon.recipientID != nil
        case .issuerID: return event.beacon.issuerID != nil
        case .qualifiedTimestamp: return event.beacon.qualifiedTimestamp != nil
        case .tlogIndex: return event.beacon.tlogIndex != nil
        }
    }

    static func write(_ value: TemplateValue, _ event: Event, _ out: inout RecordWriter) {
        switch value {
        case .constant(let text):
            out.string(text)
        case .object(let members):
            writeObject(members, event, &out)
        case .field(let source):
            writeNatural(source, event, &out)
        case .function(let function, let source):
            switch function {
            case .rfc3339: out.rfc3339(event.occurredUnix, nanos: event.occurredNanos)
            case .epoch: out.int(event.occurredUnix)
            case .epochMS:
                out.int(
                    event.occurredUnix.multipliedReportingOverflow(by: 1_000).partialValue
                        &+ Int64(event.occurredNanos / 1_000_000))
            case .lower: out.string(text(source, event).lowercased())
            case .json:
                var inner = RecordWriter(capacity: 256)
                writeNatural(source, event, &inner)
                out.string(String(decoding: inner.bytes, as: UTF8.self))
            }
        }
    }

    /// A field in its natural JSON type: ids and text as strings, the time as RFC 3339 (with
    /// the fraction of a second when there is one), ports, confidence, the severity's number and
    /// the tlog index as numbers, the category, outcome and severity by name, the verdict as
    /// gateways write it (`ALLOW`), the attributes (`extra`) as their object.
    static func writeNatural(_ source: TemplateField.Source, _ event: Event, _ out: inout RecordWriter) {
        switch source {
        case .id, .eventID: out.intString(event.eventID)
        case .time, .occurred: out.rfc3339(event.occurredUnix, nanos: event.occurredNanos)
        case .origin, .registryID: out.string(event.origin)
        case .category: out.string(event.category.rawValue)
        case .action: out.string(actionOf: event)
        case .outcome: out.string(event.outcome.rawValue)
        case .severity: out.string(event.severity.name)
        case .severityID: out.int(Int64(event.severity.rawValue))
        case .kind: if let kind = event.beacon.kind { out.string(kind) }
        case .tenant: if let v = event.tenant { out.string(v) }
        case .actorUser: if let v = event.actorUser { out.string(v) }
        case .actorService: if let v = event.actorService { out.string(v) }
        case .target: if let v = event.target { out.string(v) }
        case .sourceIP: if let v = event.sourceIP { out.string(v) }
        case .sourcePort: if let v = event.sourcePort { out.int(Int64(v)) }
        case .destinationIP: if let v = event.destinationIP { out.string(v) }
        case .destinationPort: if let v = event.destinationPort { out.int(Int64(v)) }
        case .userAgent: if let v = event.userAgent { out.string(v) }
        case .message: if let v = event.message { out.string(v) }
        case .confidence: if let v = event.confidence { out.int(Int64(v)) }
        case .verdict: if let v = event.verdict { out.string(v.upper) }
        case .attributes, .extra: if let attributes = event.attributes { out.json(attributes) }
        case .tokenID: if let v = event.beacon.tokenID { out.string(v) }
        case .fileID: if let v = event.beacon.fileID { out.string(v) }
        case .recipientID: if let v = event.beacon.recipientID { out.string(v) }
        case .issuerID: if let v = event.beacon.issuerID { out.string(v) }
        case .qualifiedTimestamp: if let v = event.beacon.qualifiedTimestamp { out.string(v) }
        case .tlogIndex: out.int(event.beacon.tlogIndex ?? 0)
        }
    }

    static func text(_ source: TemplateField.Source, _ event: Event) -> String {
        switch source {
        case .id, .eventID: return String(event.eventID)
        case .time, .occurred: return RFC3339.string(fromUnixSeconds: event.occurredUnix, nanos: event.occurredNanos)
        case .origin, .registryID: return event.origin
        case .category: return event.category.rawValue
        case .action: return event.actionName
        case .outcome: return event.outcome.rawValue
        case .severity: return event.severity.name.description
        case .severityID: return String(event.severity.rawValue)
        case .kind: return event.beacon.kind?.string ?? ""
        case .tenant: return event.tenant?.string ?? ""
        case .actorUser: return event.actorUser?.string ?? ""
        case .actorService: return event.actorService?.string ?? ""
        case .target: return event.target?.string ?? ""
        case .sourceIP: return event.sourceIP?.string ?? ""
        case .sourcePort: return event.sourcePort.map(String.init) ?? ""
        case .destinationIP: return event.destinationIP?.string ?? ""
        case .destinationPort: return event.destinationPort.map(String.init) ?? ""
        case .userAgent: return event.userAgent?.string ?? ""
        case .message: return event.message?.string ?? ""
        case .confidence: return event.confidence.map(String.init) ?? ""
        case .verdict: return event.verdict?.upper.description ?? ""
        case .attributes, .extra: return event.attributes?.description ?? ""
        case .tokenID: return event.beacon.tokenID?.string ?? ""
        case .fileID: return event.beacon.fileID?.string ?? ""
        case .recipientID: return event.beacon.recipientID?.string ?? ""
        case .issuerID: return event.beacon.issuerID?.string ?? ""
        case .qualifiedTimestamp: return event.beacon.qualifiedTimestamp?.string ?? ""
        case .tlogIndex: return event.beacon.tlogIndex.map(String.init) ?? ""
        }
    }
}
