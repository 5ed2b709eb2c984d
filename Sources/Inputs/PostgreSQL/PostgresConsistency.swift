import SIEMCore

/// `consistency:` — which rule keeps a `postgres_table` read from skipping a row whose id commits
/// after a higher one (see `PostgresKeysetRule` and docs/SOURCES-postgres.md). Written as a name,
/// or as a one-key mapping that names the rule's column or sequence:
///
/// ```yaml
/// consistency: {txid_column: txid}     # or txid_column (the column called txid)
/// consistency: lock_barrier            # or {lock_barrier: audit.events_id_seq}
/// consistency: unsafe_id_order         # one writer at a time only: skips rows otherwise
/// ```
public enum PostgresConsistency: Sendable, Equatable, OptionValue {
    case txidColumn(String)
    case lockBarrier(sequence: String?)
    case unsafeIDOrder

    static let names = ["txid_column", "lock_barrier", "unsafe_id_order"]

    public static var optionKind: OptionKind {
        .structure("txid_column, {txid_column: COLUMN}, lock_barrier, {lock_barrier: SEQUENCE} or unsafe_id_order")
    }

    public var optionText: String? {
        switch self {
        case .txidColumn(let column): return "{txid_column: \(column)}"
        case .lockBarrier(nil): return "lock_barrier"
        case .lockBarrier(let sequence?): return "{lock_barrier: \(sequence)}"
        case .unsafeIDOrder: return "unsafe_id_order"
        }
    }

    /// The reader's rule.
    public var rule: PostgresKeysetRule {
        switch self {
        case .txidColumn(let column): return .txidColumn(column)
        case .lockBarrier(let sequence): return .lockBarrier(sequence: sequence)
        case .unsafeIDOrder: return .unsafeIDOrder
        }
    }

    /// Positions of this rule have an epoch (the transaction id) before the id.
    var hasEpoch: Bool {
        if case .txidColumn = self { return true }
        return false
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            switch name {
            case "txid_column": self = .txidColumn("txid")
            case "lock_barrier": self = .lockBarrier(sequence: nil)
            case "unsafe_id_order": self = .unsafeIDOrder
            default:
                throw DecodingError.dataCorruptedError(
                    in: single,
                    debugDescription: "expected one of: " + Self.names.joined(separator: ", ")
                        + (Suggestion.closest(to: name, in: Self.names).map { " (did you mean '\($0)'?)" } ?? ""))
            }
            return
        }
        let mapping = try decoder.container(keyedBy: Key.self)
        guard mapping.allKeys.count == 1, let key = mapping.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "expected a rule's name, or one of {txid_column: COLUMN}, {lock_barrier: SEQUENCE}"))
        }
        switch key.stringValue {
        case "txid_column": self = .txidColumn(try mapping.decode(String.self, forKey: key))
        case "lock_barrier": self = .lockBarrier(sequence: try mapping.decode(String.self, forKey: key))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: key, in: mapping,
                debugDescription: "unknown rule '\(key.stringValue)'; expected txid_column or lock_barrier")
        }
    }
}
