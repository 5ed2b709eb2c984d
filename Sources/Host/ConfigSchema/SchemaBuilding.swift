import SIEMCore

/// Short spellings for writing JSON Schema as `JSONValue`s.
extension JSONValue {
    static func schema(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(members.map { (key: $0.0, value: $0.1) })
    }
    static func text(_ value: String) -> JSONValue { .string(value) }
    static func integer(_ value: Int) -> JSONValue { .number(String(value)) }
    static func texts(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
    static func ref(_ name: String) -> JSONValue { .schema([("$ref", .text("#/$defs/" + name))]) }

    /// This object schema with `members` added (or replaced).
    func adding(_ members: [(String, JSONValue)]) -> JSONValue {
        guard case .object(var existing) = self else { return self }
        for (key, value) in members {
            if let index = existing.firstIndex(where: { $0.key == key }) {
                existing[index].value = value
            } else {
                existing.append((key: key, value: value))
            }
        }
        return .object(existing)
    }
}

/// Indented JSON with two spaces, keys in the order given: what a person reads and an editor
/// loads (`config-schema`).
enum PrettyJSON {
    static func text(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            if items.allSatisfy(\.isScalar) { return value.jsonText.replacingOccurrences(of: "\",\"", with: "\", \"") }
            return "[\n" + items.map { inner + text($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members) where !members.isEmpty:
            return "{\n"
                + members.map { inner + JSONValue.string($0.key).jsonText + ": " + text($0.value, indent: inner) }
                .joined(separator: ",\n") + "\n\(indent)}"
        default:
            return value.jsonText
        }
    }
}

extension JSONValue {
    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }
}
