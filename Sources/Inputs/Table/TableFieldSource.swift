import SIEMCore

/// Where one canonical field's value comes from, as a `table` mapper's `fields:` writes it:
///
/// - `actor: user_name` — a column (for JSON lines, a path into the object);
/// - `{value: auth.login}` — the same for every row;
/// - `{column: result, map: {ok: success, denied: failure}, default: unknown}` — a column's values
///   translated; a value the map lacks takes `default:`, and without one the row goes to the
///   dead-letter file (never a guess). `default:` alone stands in for NULL.
public enum TableFieldSource: Sendable, Equatable, Decodable {
    case column(String)
    case constant(String)
    case mapped(column: String, map: [String: String], defaultValue: String?)

    /// The column it reads, if any.
    public var column: String? {
        switch self {
        case .column(let name), .mapped(let name, _, _): return name
        case .constant: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            guard !name.isEmpty else { throw TableConfigError.at(decoder, "names no column") }
            self = .column(name)
            return
        }
        let keyed = try TableConfigError.mapping(decoder, allowed: ["column", "map", "default", "value"])
        if keyed.contains(.named("value")) {
            guard keyed.allKeys.count == 1 else {
                throw TableConfigError.at(decoder, "`value:` is a constant: it takes no column, map or default")
            }
            self = .constant(try keyed.decode(ScalarText.self, forKey: .named("value")).text)
            return
        }
        guard keyed.contains(.named("column")) else {
            throw TableConfigError.at(decoder, "expected a column name, {column: …, map: …, default: …} or {value: …}")
        }
        let column = try keyed.decode(String.self, forKey: .named("column"))
        let map = try keyed.decodeIfPresent([String: ScalarText].self, forKey: .named("map"))?.mapValues(\.text)
        let defaultValue = try keyed.decodeIfPresent(ScalarText.self, forKey: .named("default"))?.text
        if map == nil && defaultValue == nil {
            self = .column(column)
        } else {
            self = .mapped(column: column, map: map ?? [:], defaultValue: defaultValue)
        }
    }

    /// Every value it can produce besides the column's own (map values, default, constant): what
    /// an enumerated field (outcome, verdict, severity) checks at `validate`.
    var writtenValues: [String] {
        switch self {
        case .column: return []
        case .constant(let value): return [value]
        case .mapped(_, let map, let defaultValue): return map.values.sorted() + (defaultValue.map { [$0] } ?? [])
        }
    }
}

/// Where the event time comes from: `time: ts` (a number is epoch seconds, text RFC 3339),
/// `{epoch: ts}`, `{epoch_ms: ts}` or `{rfc3339: ts}`.
public enum TableTimeSource: Sendable, Equatable, Decodable {
    case auto(String)
    case epoch(String)
    case epochMilliseconds(String)
    case rfc3339(String)

    public var column: String {
        switch self {
        case .auto(let c), .epoch(let c), .epochMilliseconds(let c), .rfc3339(let c): return c
        }
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self = .auto(name)
            return
        }
        let keyed = try TableConfigError.mapping(decoder, allowed: ["epoch", "epoch_ms", "rfc3339"])
        guard keyed.allKeys.count == 1, let key = keyed.allKeys.first else {
            throw TableConfigError.at(decoder, "expected one of {epoch: column}, {epoch_ms: column}, {rfc3339: column}")
        }
        let column = try keyed.decode(String.self, forKey: key)
        switch key.stringValue {
        case "epoch": self = .epoch(column)
        case "epoch_ms": self = .epochMilliseconds(column)
        default: self = .rfc3339(column)
        }
    }
}

/// The event's typed attributes: `{json: details}` (a column holding a JSON object) or
/// `{columns: [a, b]}` (an object of those columns, NULLs left out). `attributes: details` is
/// `{json: details}`.
public enum TableAttributesSource: Sendable, Equatable, Decodable {
    case json(String)
    case columns([String])

    public var columnNames: [String] {
        switch self {
        case .json(let c): return [c]
        case .columns(let cs): return cs
        }
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self = .json(name)
            return
        }
        let keyed = try TableConfigError.mapping(decoder, allowed: ["json", "columns"])
        guard keyed.allKeys.count == 1, let key = keyed.allKeys.first else {
            throw TableConfigError.at(decoder, "expected {json: column} or {columns: [column, …]}")
        }
        if key.stringValue == "json" {
            self = .json(try keyed.decode(String.self, forKey: key))
        } else {
            let columns = try keyed.decode([String].self, forKey: key)
            guard !columns.isEmpty else { throw TableConfigError.at(decoder, "`columns:` lists no column") }
            self = .columns(columns)
        }
    }
}

/// A scalar written in YAML as text, a number or a boolean, kept as the text written: map keys
/// and values (`{1: low}`, `{true: success}`) compare with a row's value as text.
struct ScalarText: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            self.text = text
        } else if let number = try? single.decode(Int64.self) {
            text = String(number)
        } else if let flag = try? single.decode(Bool.self) {
            text = String(flag)
        } else {
            throw TableConfigError.at(decoder, "expected a single value (text, a number or true/false)")
        }
    }
}
