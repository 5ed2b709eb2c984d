import SIEMCore
import Yams

/// Decodes a plugin's options from its YAML node, turning `DecodingError`s into config
/// diagnostics that point at the offending key's line.
struct YAMLOptionsDecoding: OptionsDecoding {
    let node: Node
    let file: String
    let path: String

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try YAMLDecoder().decode(T.self, from: node)
        } catch let error as DecodingError {
            throw ConfigErrors(diagnostics: [diagnostic(for: error)])
        }
    }

    func diagnostic(for error: DecodingError) -> ConfigDiagnostic {
        let (codingPath, message): ([any CodingKey], String)
        switch error {
        case .typeMismatch(let type, let context):
            (codingPath, message) = (context.codingPath, "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            (codingPath, message) = (context.codingPath, "expected \(Self.describe(type)), found nothing")
        case .keyNotFound(let key, let context):
            (codingPath, message) = (context.codingPath + [key], "missing required key")
        case .dataCorrupted(let context):
            (codingPath, message) = (context.codingPath, Self.corruption(context))
        @unknown default:
            (codingPath, message) = ([], "\(error)")
        }
        let keys = codingPath.map(\.stringValue)
        let located = Self.node(at: keys, in: node) ?? node
        let fullPath = ([path] + keys).joined(separator: ".")
        var text = message
        if let scalar = located.scalar { text += ", found '\(scalar.string)'" }
        return ConfigDiagnostic(
            file: file, line: located.mark?.line, column: located.mark?.column, path: fullPath, message: text)
    }

    static func corruption(_ context: DecodingError.Context) -> String {
        // Yams reports a bad enum raw value as dataCorrupted: "Cannot initialize Mode from invalid String value x".
        let text = context.debugDescription
        if text.contains("Cannot initialize") { return "not one of the allowed values" }
        return text.hasPrefix("expected") ? text : "invalid value: \(text)"
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is String?.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is Int?.Type: return "a whole number"
        case is Double.Type, is Double?.Type: return "a number"
        case is Bool.Type, is Bool?.Type: return "true or false"
        case is [String].Type: return "a list of strings"
        default: return "a value of type \(type)"
        }
    }

    static func node(at keys: [String], in root: Node) -> Node? {
        var current = root
        for key in keys {
            if let mapping = current.mapping, let next = mapping[key] {
                current = next
            } else if let sequence = current.sequence,
                let index = Int(key.replacingOccurrences(of: "Index ", with: "")),
                index < sequence.count
            {
                current = sequence[index]
            } else {
                return nil
            }
        }
        return current
    }
}
