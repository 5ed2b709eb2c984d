import SIEMCore
import Yams

/// A plugin's (or the redaction stage's) options as they are written in a YAML node: each key's
/// value decoded on its own, so one bad key does not hide the next, and every problem becomes a
/// config diagnostic at the line of the value it is about.
struct YAMLOptionsDecoding: OptionsDecoding {
    let node: Node
    let file: String
    /// Where the node is, e.g. `pipelines[0].sink`.
    let path: String

    var keys: [String] { node.mapping?.keys.compactMap(\.string) ?? [] }

    func decode<T: Decodable>(_ type: T.Type, forKey key: String) throws -> T {
        guard let value = node.mapping?[key] else {
            throw ConfigErrors(diagnostics: [diagnostic(at: node, path + "." + key, "is required")])
        }
        do {
            return try YAMLDecoder().decode(T.self, from: value)
        } catch {
            let errors = DecodingErrors.flatten(error)
            guard !errors.isEmpty else { throw error }
            // A list stops at its first bad element: decode each on its own to report them all.
            if let list = T.self as? any ListOptionValue.Type, let items = value.sequence {
                var diagnostics: [ConfigDiagnostic] = []
                for (index, item) in items.enumerated() {
                    do {
                        try Self.decode(list.elementType, from: item)
                    } catch {
                        diagnostics += DecodingErrors.flatten(error).map {
                            diagnostic(for: $0, key: "\(key)[\(index)]", value: item)
                        }
                    }
                }
                if !diagnostics.isEmpty { throw ConfigErrors(diagnostics: diagnostics) }
            }
            throw ConfigErrors(diagnostics: errors.map { diagnostic(for: $0, key: key, value: value) })
        }
    }

    private static func decode<E: Decodable>(_ type: E.Type, from node: Node) throws {
        _ = try YAMLDecoder().decode(E.self, from: node)
    }

    /// Decodes options of type `O`, reporting every problem as a diagnostic at its line.
    func decodeOptions<O: PluginOptions>(_ type: O.Type) throws(ConfigErrors) -> O {
        do {
            return try O.decode(from: self)
        } catch {
            throw ConfigErrors(diagnostics: diagnostics(for: error))
        }
    }

    /// Each problem at the line of the value it is about: a missing key at its mapping, a key
    /// whose value is wrong at that value, a rule over several keys at the first key it names.
    func diagnostics(for problems: OptionProblems) -> [ConfigDiagnostic] {
        problems.problems.flatMap { problem -> [ConfigDiagnostic] in
            if let located = problem.underlying as? ConfigErrors { return located.diagnostics }
            guard let key = problem.key else { return [diagnostic(at: node, path, problem.message)] }
            if problem.missing { return [diagnostic(at: node, path, "missing required key '\(key)'")] }
            let value = node.mapping?[key] ?? node
            return [diagnostic(at: value, path + "." + key, problem.message)]
        }
    }

    private func diagnostic(at node: Node, _ path: String, _ message: String) -> ConfigDiagnostic {
        ConfigDiagnostic(file: file, line: node.mark?.line, column: node.mark?.column, path: path, message: message)
    }

    func diagnostic(for error: DecodingError, key: String, value: Node) -> ConfigDiagnostic {
        let (codingPath, message): ([any CodingKey], String)
        switch error {
        case .typeMismatch(let type, let context):
            (codingPath, message) = (context.codingPath, "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            (codingPath, message) = (context.codingPath, "expected \(Self.describe(type)), found nothing")
        case .keyNotFound(let missing, let context):
            (codingPath, message) = (context.codingPath, "missing required key '\(missing.stringValue)'")
        case .dataCorrupted(let context):
            (codingPath, message) = (context.codingPath, Self.corruption(context))
        @unknown default:
            (codingPath, message) = ([], "\(error)")
        }
        let located = Self.node(at: codingPath, in: value) ?? value
        var text = message
        if let scalar = located.scalar, !text.contains("'\(scalar.string)'") { text += ", found '\(scalar.string)'" }
        return diagnostic(at: located, path + "." + key + Self.render(codingPath), text)
    }

    /// A coding path as the config is written: `.fields[1].who`, never Swift's "Index 1".
    static func render(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { key in key.intValue.map { "[\($0)]" } ?? "." + key.stringValue }.joined()
    }

    static func corruption(_ context: DecodingError.Context) -> String {
        // Yams reports a bad enum raw value as dataCorrupted: "Cannot initialize Mode from invalid String value x".
        let text = context.debugDescription
        if text.contains("Cannot initialize") { return "not one of the allowed values" }
        return text.hasPrefix("expected") || text.hasPrefix("unknown") ? text : "invalid value: \(text)"
    }

    /// What a Swift type is called in a config: no Swift type names in messages.
    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is String?.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is Int?.Type: return "a whole number"
        case is Double.Type, is Double?.Type: return "a number"
        case is Bool.Type, is Bool?.Type: return "true or false"
        case is [String].Type: return "a list of strings"
        case is [String: String].Type: return "a mapping of names to strings"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("[") { return "a list" }
            if name.hasPrefix("Dictionary<") { return "a mapping" }
            if name.contains("Scalar") { return "a single value (text, a number or true/false)" }
            return "another kind of value"
        }
    }

    static func node(at codingPath: [any CodingKey], in root: Node) -> Node? {
        var current = root
        for key in codingPath {
            if let index = key.intValue, let sequence = current.sequence, index < sequence.count {
                current = sequence[index]
            } else if let mapping = current.mapping, let next = mapping[key.stringValue] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }
}
