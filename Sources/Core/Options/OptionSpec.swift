/// One option of a plugin: its YAML key, help, type and own validation, bound to the property
/// that holds its value (and its default).
///
/// ```swift
/// public static let specs: [OptionSpec<Options>] = [
///     .init("url", \.url, help: "HEC base URL", required: true, check: HTTPURLRules.problem),
///     .init("ack_poll_ms", \.ackPollMS, help: "interval between acknowledgement polls", range: 1...60_000),
/// ] + .group(\.http)
/// ```
public struct OptionSpec<Root: PluginOptions>: Sendable {
    public let key: String
    public let help: String
    public let kind: OptionKind
    /// A credential: a config must give it by reference (`${env:…}`, `${file:…}`), never inline.
    public let isSecret: Bool
    /// Absent is an error ("is required"); the property's default is only a placeholder.
    public let isRequired: Bool
    /// Decodes the (present) key into its property.
    let decode: @Sendable (inout Root, any OptionsDecoding) throws -> Void
    /// The key's own rule, on the decoded options: nil when it holds.
    let check: @Sendable (Root) -> String?
    /// The property's value as `plugins` shows a default; nil for "none".
    let defaultText: @Sendable (Root) -> String?

    /// An option of any value type, with an optional rule of its own.
    public init<V: OptionValue>(
        _ key: String, _ path: any WritableKeyPath<Root, V> & Sendable, help: String, secret: Bool = false,
        required: Bool = false, check: (@Sendable (V) -> String?)? = nil
    ) {
        self.key = key
        self.help = help
        self.kind = V.optionKind
        self.isSecret = secret
        self.isRequired = required
        decode = { root, source in root[keyPath: path] = try source.decode(V.self, forKey: key) }
        self.check = { root in
            let value = root[keyPath: path]
            if required, let text = value as? String, text.isEmpty { return "is required" }
            return check?(value)
        }
        defaultText = { $0[keyPath: path].optionText }
    }

    /// A whole number within `range`; a value outside is refused naming the range.
    public init(
        _ key: String, _ path: any WritableKeyPath<Root, Int> & Sendable, help: String, range: ClosedRange<Int>,
        check: (@Sendable (Int) -> String?)? = nil
    ) {
        self.key = key
        self.help = help
        self.kind = .integer(minimum: range.lowerBound, maximum: range.upperBound == .max ? nil : range.upperBound)
        self.isSecret = false
        self.isRequired = false
        decode = { root, source in root[keyPath: path] = try source.decode(Int.self, forKey: key) }
        self.check = { root in
            let value = root[keyPath: path]
            guard range.contains(value) else {
                return range.upperBound == .max
                    ? "must be at least \(range.lowerBound)" : "must be from \(range.lowerBound) to \(range.upperBound)"
            }
            return check?(value)
        }
        defaultText = { $0[keyPath: path].optionText }
    }

    private init(
        key: String, help: String, kind: OptionKind, isSecret: Bool, isRequired: Bool,
        decode: @escaping @Sendable (inout Root, any OptionsDecoding) throws -> Void,
        check: @escaping @Sendable (Root) -> String?, defaultText: @escaping @Sendable (Root) -> String?
    ) {
        self.key = key
        self.help = help
        self.kind = kind
        self.isSecret = isSecret
        self.isRequired = isRequired
        self.decode = decode
        self.check = check
        self.defaultText = defaultText
    }

    /// The options of a shared group (HTTP transport, retries), written as keys of this node.
    public static func group<G: PluginOptions>(_ path: any WritableKeyPath<Root, G> & Sendable) -> [OptionSpec<Root>] {
        G.specs.map { inner in
            OptionSpec(
                key: inner.key, help: inner.help, kind: inner.kind, isSecret: inner.isSecret,
                isRequired: inner.isRequired,
                decode: { root, source in try inner.decode(&root[keyPath: path], source) },
                check: { root in inner.check(root[keyPath: path]) },
                defaultText: { root in inner.defaultText(root[keyPath: path]) })
        }
    }

    /// What is wrong with this key's value in `options`, nil when its rule holds.
    public func problem(in options: Root) -> String? { check(options) }

    func describe(_ defaults: Root) -> OptionDescription {
        OptionDescription(
            key: key, help: help, defaultValue: isRequired ? "required" : (defaultText(defaults) ?? "none"),
            isSecret: isSecret, isRequired: isRequired, kind: kind)
    }
}

extension Array {
    /// The options of a shared group (HTTP transport, retries), written as keys of this node:
    /// `[.init(…), …] + .group(\.http)`.
    public static func group<Root: PluginOptions, G: PluginOptions>(
        _ path: any WritableKeyPath<Root, G> & Sendable
    ) -> [OptionSpec<Root>] where Element == OptionSpec<Root> {
        OptionSpec<Root>.group(path)
    }
}

/// What kind of value an option takes, for messages, `plugins`, CONFIG.md and the JSON Schema.
public indirect enum OptionKind: Sendable, Equatable {
    case string
    case integer(minimum: Int?, maximum: Int?)
    case number
    case boolean
    case choice([String])
    case list(OptionKind)
    /// A mapping of names to values (request headers).
    case map(OptionKind)
    /// A structure of its own (a template's fields), described in words and, for the config's
    /// JSON Schema, by a schema.
    case structure(String, schema: OptionSchema? = nil)
}

/// One option as `plugins` lists it and the JSON Schema describes it.
public struct OptionDescription: Sendable, Equatable {
    public let key: String
    public let help: String
    /// The default as text; "required" when there is none to fall back on, "none" for unset.
    public let defaultValue: String
    public let isSecret: Bool
    public let isRequired: Bool
    public let kind: OptionKind
}

/// A value an option can hold: how it decodes, what kind it is, how its default reads.
public protocol OptionValue: Decodable, Sendable {
    static var optionKind: OptionKind { get }
    /// The value as a default in `plugins`; nil for "none".
    var optionText: String? { get }
}

extension String: OptionValue {
    public static var optionKind: OptionKind { .string }
    public var optionText: String? { self }
}

extension Int: OptionValue {
    public static var optionKind: OptionKind { .integer(minimum: nil, maximum: nil) }
    public var optionText: String? { String(self) }
}

extension Double: OptionValue {
    public static var optionKind: OptionKind { .number }
    public var optionText: String? { String(self) }
}

extension Bool: OptionValue {
    public static var optionKind: OptionKind { .boolean }
    public var optionText: String? { String(self) }
}

extension Optional: OptionValue where Wrapped: OptionValue {
    public static var optionKind: OptionKind { Wrapped.optionKind }
    public var optionText: String? { self?.optionText }
}

extension Array: OptionValue where Element: OptionValue {
    public static var optionKind: OptionKind { .list(Element.optionKind) }
    public var optionText: String? { isEmpty ? "[]" : map { $0.optionText ?? "none" }.joined(separator: ", ") }
}

extension Dictionary: OptionValue where Key == String, Value: OptionValue {
    public static var optionKind: OptionKind { .map(Value.optionKind) }
    public var optionText: String? { isEmpty ? "{}" : keys.sorted().map { "\($0): …" }.joined(separator: ", ") }
}

extension OptionChoice {
    public static var optionKind: OptionKind { .choice(allCases.map(\.rawValue)) }
    public var optionText: String? { rawValue }
}

/// What was wrong with one key (or, with `key` nil, with several together).
public struct OptionProblem: Sendable {
    public var key: String?
    public var message: String
    /// The key is required and absent.
    public var missing = false
    /// The error the decoding source threw, when it knows more (a position inside the value).
    public var underlying: (any Error)?

    public init(key: String?, message: String, missing: Bool = false) {
        self.key = key
        self.message = message
        self.missing = missing
    }

    init(key: String?, error: any Error) {
        if case SIEMError.invalidOption(let invalidKey, let message) = error {
            self.init(key: invalidKey, message: message)
        } else {
            self.init(key: key, message: "\(error)")
            underlying = error
        }
    }
}

/// Every problem of one plugin's options, reported together.
public struct OptionProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [OptionProblem]
    public init(problems: [OptionProblem]) { self.problems = problems }
    public var description: String {
        problems.map { ($0.key.map { "\($0): " } ?? "") + $0.message }.joined(separator: "; ")
    }
}

/// Rules many options share, for `OptionSpec`'s `check:`.
public enum OptionRules {
    @Sendable public static func nonEmpty(_ value: String) -> String? { value.isEmpty ? "must not be empty" : nil }
}
