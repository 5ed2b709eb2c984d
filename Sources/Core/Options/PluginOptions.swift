/// A plugin's options (or a group of options several plugins share), declared once.
///
/// Each default is stated once, at its property; each key once, in `specs`, with its help, its
/// type and its own validation (SwiftLint's `@ConfigurationElement` is the model). Decoding, the
/// `plugins` listing, docs/CONFIG.md and the config's JSON Schema all derive from `specs`, so
/// they cannot disagree. A test checks that `Self()` passes every check and that every spec's
/// key is unique.
public protocol PluginOptions: Equatable, Sendable {
    /// Every default.
    init()
    /// Every YAML key, in the order `plugins` and CONFIG.md list them; the host refuses any other.
    static var specs: [OptionSpec<Self>] { get }
    /// Checks that involve several keys, run once every key passed its own. No I/O; throws
    /// `SIEMError.invalidOption`.
    func validateCombination() throws
}

extension PluginOptions {
    public func validateCombination() throws {}

    /// Every key's own rule, then the rules over several keys: for options made in code (tests,
    /// command-line flags). Throws the first problem as `SIEMError.invalidOption`.
    public func validate() throws {
        for spec in Self.specs {
            if let message = spec.problem(in: self) { throw SIEMError.invalidOption(key: spec.key, message: message) }
        }
        try validateCombination()
    }

    /// Decodes every declared key `source` holds and checks it, collecting one problem per bad key
    /// (not only the first), then runs `validateCombination()` when every key was right. A required key
    /// that is absent is a problem of its own ("missing"), so presets and configs learn all that
    /// is missing at once.
    public static func decode(from source: any OptionsDecoding) throws(OptionProblems) -> Self {
        var options = Self()
        var problems: [OptionProblem] = []
        let present = Set(source.keys)
        for spec in specs {
            guard present.contains(spec.key) else {
                if spec.isRequired {
                    problems.append(OptionProblem(key: spec.key, message: "is required", missing: true))
                }
                continue
            }
            do {
                try spec.decode(&options, source)
            } catch {
                problems.append(OptionProblem(key: spec.key, error: error))
                continue
            }
            if let message = spec.check(options) { problems.append(OptionProblem(key: spec.key, message: message)) }
        }
        if problems.isEmpty {
            do {
                try options.validateCombination()
            } catch {
                problems.append(OptionProblem(key: nil, error: error))
            }
        }
        guard problems.isEmpty else { throw OptionProblems(problems: problems) }
        return options
    }

    /// What is wrong with the declaration itself: a key declared twice, a key without help, a
    /// default that breaks its own key's rule or the rules over several keys. Empty when sound;
    /// a test runs it over every registered plugin.
    public static var declarationProblems: [String] {
        var problems: [String] = []
        var seen: Set<String> = []
        let defaults = Self()
        for spec in specs {
            if !seen.insert(spec.key).inserted { problems.append("key '\(spec.key)' is declared twice") }
            if spec.help.isEmpty { problems.append("key '\(spec.key)' has no help") }
            if !spec.isRequired, let problem = spec.problem(in: defaults) {
                problems.append("the default of '\(spec.key)' breaks its own rule: \(problem)")
            }
        }
        if !specs.contains(where: \.isRequired) {
            do {
                try defaults.validateCombination()
            } catch {
                problems.append("the defaults break a rule over several keys: \(error)")
            }
        }
        return problems
    }

    /// How `plugins`, CONFIG.md and the JSON Schema describe the keys.
    public static var descriptions: [OptionDescription] {
        let defaults = Self()
        return specs.map { $0.describe(defaults) }
    }
}

/// Where a plugin's option values come from: a YAML node in a config, or command-line flags.
///
/// Core never imports a YAML library: the host hands plugins this instead.
public protocol OptionsDecoding {
    /// The keys present, in the order written.
    var keys: [String] { get }
    /// The value at `key` (which is present) as `type`; throws a message naming what was expected.
    func decode<T: Decodable>(_ type: T.Type, forKey key: String) throws -> T
}

/// An option with a fixed set of values; a wrong value is refused with the list of right ones.
public protocol OptionChoice: RawRepresentable, CaseIterable, OptionValue where RawValue == String {}

extension OptionChoice {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let names = Self.allCases.map(\.rawValue)
            let close = Suggestion.closest(to: raw, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected one of: " + names.joined(separator: ", ") + close)
        }
        self = value
    }
}
