import SIEMCore

/// A `table` mapper's `fields:`: which column gives each canonical field. `time` and `action`
/// are required (a SIEM event without either is worthless); every other field is left out of
/// the event when not mapped or when the row holds NULL or empty text there.
public struct TableFields: Sendable, Equatable, Decodable, OptionValue {
    public var time: TableTimeSource?
    public var action: TableFieldSource?
    public var actor: TableFieldSource?
    public var actorService: TableFieldSource?
    public var target: TableFieldSource?
    public var outcome: TableFieldSource?
    public var sourceIP: TableFieldSource?
    public var sourcePort: TableFieldSource?
    public var destinationIP: TableFieldSource?
    public var destinationPort: TableFieldSource?
    public var userAgent: TableFieldSource?
    public var message: TableFieldSource?
    public var confidence: TableFieldSource?
    public var verdict: TableFieldSource?
    public var attributes: TableAttributesSource?

    /// Every key `fields:` takes, in the order docs list them.
    public static let names = [
        "time", "action", "actor", "actor_service", "target", "outcome", "source_ip", "source_port",
        "destination_ip", "destination_port", "user_agent", "message", "confidence", "verdict", "attributes",
    ]

    public init() {}

    public static var optionKind: OptionKind {
        .structure(
            "canonical field → column: `actor: user_name`, {column:, map:, default:}, {value:}; see docs/SOURCES.md")
    }
    public var optionText: String? { nil }

    public init(from decoder: any Decoder) throws {
        let keyed = try TableConfigError.mapping(decoder, allowed: Self.names)
        typealias Key = TableConfigError.Key
        func field(_ name: String) throws -> TableFieldSource? {
            try keyed.decodeIfPresent(TableFieldSource.self, forKey: .named(name))
        }
        time = try keyed.decodeIfPresent(TableTimeSource.self, forKey: .named("time"))
        action = try field("action")
        actor = try field("actor")
        actorService = try field("actor_service")
        target = try field("target")
        outcome = try field("outcome")
        sourceIP = try field("source_ip")
        sourcePort = try field("source_port")
        destinationIP = try field("destination_ip")
        destinationPort = try field("destination_port")
        userAgent = try field("user_agent")
        message = try field("message")
        confidence = try field("confidence")
        verdict = try field("verdict")
        attributes = try keyed.decodeIfPresent(TableAttributesSource.self, forKey: .named("attributes"))
        // A map can only translate to values the field can hold: checked here, at the map's line.
        try Self.check(outcome, "outcome", EventOutcome.allCases.map(\.rawValue), keyed)
        try Self.check(verdict, "verdict", EventVerdict.allCases.map(\.rawValue), keyed)
        for (name, source) in [("source_port", sourcePort), ("destination_port", destinationPort)] {
            for value in source?.writtenValues ?? [] where TableValues.port(value) == nil {
                throw TableConfigError.at(keyed.codingPath + [Key.named(name)], "'\(value)' is not a port (0–65535)")
            }
        }
        for value in confidence?.writtenValues ?? [] where TableValues.confidence(value) == nil {
            throw TableConfigError.at(
                keyed.codingPath + [Key.named("confidence")], "'\(value)' is not a confidence score (0–100)")
        }
    }

    private static func check(
        _ source: TableFieldSource?, _ name: String, _ allowed: [String],
        _ keyed: KeyedDecodingContainer<TableConfigError.Key>
    ) throws {
        for value in source?.writtenValues ?? [] where !allowed.contains(value.lowercased()) {
            throw TableConfigError.at(
                keyed.codingPath + [TableConfigError.Key.named(name)],
                "'\(value)' is not a\(name == "outcome" ? "n" : "") \(name)" + Suggestion.hint(for: value, in: allowed))
        }
    }

    /// Each mapped column with where the config names it (`fields.actor`), in field order.
    public var columnUses: [(column: String, configPath: String)] {
        var uses: [(String, String)] = []
        if let time { uses.append((time.column, "fields.time")) }
        let sources: [(String, TableFieldSource?)] = [
            ("action", action), ("actor", actor), ("actor_service", actorService), ("target", target),
            ("outcome", outcome), ("source_ip", sourceIP), ("source_port", sourcePort),
            ("destination_ip", destinationIP), ("destination_port", destinationPort), ("user_agent", userAgent),
            ("message", message), ("confidence", confidence), ("verdict", verdict),
        ]
        for (name, source) in sources { if let column = source?.column { uses.append((column, "fields." + name)) } }
        for column in attributes?.columnNames ?? [] { uses.append((column, "fields.attributes")) }
        return uses
    }
}
