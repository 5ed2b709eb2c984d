import SIEMCore

/// How a `table` mapper derives an event's severity (`severity:`), on the fixed scale every
/// target maps from (docs/SOURCES.md):
///
/// - `high` or `{value: high}` — the same for every row;
/// - `{from_outcome: {success: info, failure: warning}}` — by the event's outcome (an outcome not
///   listed is `unknown`);
/// - `{from_verdict: {allow: informational, deny: medium, escalate: high, rewrite: low}}` — by a
///   decision's verdict;
/// - `{column: level, map: {…}, default: …}` — a column holding a scale name, or values the map
///   translates to one.
///
/// Without `severity:`, audit events take `from_outcome` {success: informational, failure:
/// medium, unknown: informational} (the "info, warning on a failed or denied outcome"),
/// decisions take the `from_verdict` above, and threat events are `unknown` unless their source
/// gives one (a threat's severity comes from the signal, never from a guess).
public enum TableSeverityRule: Sendable, Equatable, Decodable, OptionValue {
    case constant(EventSeverity)
    case fromOutcome([EventOutcome: EventSeverity])
    case fromVerdict([EventVerdict: EventSeverity])
    case column(TableFieldSource)

    public static var optionKind: OptionKind {
        .structure("a scale name, {from_outcome: …}, {from_verdict: …} or {column:, map:, default:}")
    }
    public var optionText: String? { nil }

    /// The rule a category has when `severity:` is not given.
    public static func standard(for category: EventCategory) -> TableSeverityRule {
        switch category {
        case .audit: return .fromOutcome([.success: .informational, .failure: .medium, .unknown: .informational])
        case .decision: return .fromVerdict([.allow: .informational, .deny: .medium, .escalate: .high, .rewrite: .low])
        case .threat, .beacon: return .constant(.unknown)
        }
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self = .constant(try Self.severity(name, decoder.codingPath))
            return
        }
        let keyed = try TableConfigError.mapping(
            decoder, allowed: ["value", "from_outcome", "from_verdict", "column", "map", "default"])
        typealias Key = TableConfigError.Key
        if keyed.contains(.named("from_outcome")) || keyed.contains(.named("from_verdict")) {
            guard keyed.allKeys.count == 1, let key = keyed.allKeys.first else {
                throw TableConfigError.at(decoder, "`from_outcome:` and `from_verdict:` stand alone")
            }
            let table = try keyed.decode([String: String].self, forKey: key)
            let path = keyed.codingPath + [key]
            if key.stringValue == "from_outcome" {
                self = .fromOutcome(try Self.table(table, EventOutcome.self, path))
            } else {
                self = .fromVerdict(try Self.table(table, EventVerdict.self, path))
            }
            return
        }
        if keyed.contains(.named("value")) {
            guard keyed.allKeys.count == 1 else { throw TableConfigError.at(decoder, "`value:` stands alone") }
            let name = try keyed.decode(String.self, forKey: .named("value"))
            self = .constant(try Self.severity(name, keyed.codingPath + [Key.named("value")]))
            return
        }
        let source = try TableFieldSource(from: decoder)
        for value in source.writtenValues { _ = try Self.severity(value, decoder.codingPath) }
        self = .column(source)
    }

    private static func table<E: RawRepresentable & CaseIterable & Hashable>(
        _ table: [String: String], _ type: E.Type, _ path: [any CodingKey]
    ) throws -> [E: EventSeverity] where E.RawValue == String {
        var result: [E: EventSeverity] = [:]
        let names = E.allCases.map(\.rawValue)
        for (key, name) in table.sorted(by: { $0.key < $1.key }) {
            guard let value = E(rawValue: key.lowercased()) else {
                throw TableConfigError.at(
                    path + [TableConfigError.Key.named(key)],
                    "unknown key '\(key)'" + Suggestion.hint(for: key, in: names))
            }
            result[value] = try severity(name, path + [TableConfigError.Key.named(key)])
        }
        return result
    }

    static func severity(_ name: String, _ path: [any CodingKey]) throws -> EventSeverity {
        guard let severity = EventSeverity(name: name) else {
            throw TableConfigError.at(
                path, "'\(name)' is not a severity" + Suggestion.hint(for: name, in: EventSeverity.names))
        }
        return severity
    }
}
