/// Decodes one plugin's options from wherever the host found them (a YAML node, CLI flags).
///
/// Core never imports a YAML library: the host hands plugins this instead.
public protocol OptionsDecoding {
    func decode<T: Decodable>(_ type: T.Type) throws -> T
}

/// One option as `siem-export plugins` lists it.
public struct OptionDescription: Sendable, Equatable {
    public let key: String
    public let help: String
    /// The default as text, read off `Options()`; "none" for an optional without one.
    public let defaultValue: String
    /// Must be given by reference in a config.
    public let isSecret: Bool
}

/// What the registry knows of a plugin without making one.
public struct PluginDescription: Sendable {
    public enum Kind: String, Sendable { case source, mapper, formatter, sink }
    public let kind: Kind
    public let id: String
    public let summary: String
    /// The Swift type, so tests can match source folders to registrations.
    public let typeName: String
    public let options: [OptionDescription]
    public let schema: SchemaVersion?
    public let framing: Framing?
    public let aliases: [String]

    public var optionKeys: [String] { options.map(\.key) }
}

/// A registered plugin: its description and how to build it from decoded options.
public struct PluginRegistration<Instance>: Sendable {
    public let description: PluginDescription
    let factory: @Sendable (any OptionsDecoding, PluginContext) throws -> Instance
    let checker: @Sendable (any OptionsDecoding) throws -> Void

    /// Decodes and validates the options without making the plugin (no file or database opened).
    public func check(options: any OptionsDecoding) throws {
        try checker(options)
    }

    /// Decodes and validates the options, then makes the plugin.
    public func make(options: any OptionsDecoding, context: PluginContext) throws -> Instance {
        try factory(options, context)
    }
}

/// Every plugin the host can assemble, looked up by the YAML `type:`.
///
/// A value, never a global: the host builds one (see `BuiltInPlugins`) and passes it on, and a
/// test can build its own with doubles in it.
public struct PluginRegistry: Sendable {
    public private(set) var sources: [String: PluginRegistration<any EventSource>] = [:]
    public private(set) var mappers: [String: PluginRegistration<any EventMapper>] = [:]
    public private(set) var formatters: [String: PluginRegistration<any EventFormatter>] = [:]
    public private(set) var sinks: [String: PluginRegistration<any EventSink>] = [:]

    public init() {}

    public mutating func register<S: EventSource>(source type: S.Type) {
        sources[S.id] = Self.registration(S.self, kind: .source) { try S(options: $0, context: $1) }
    }

    public mutating func register<M: EventMapper>(mapper type: M.Type) {
        mappers[M.id] = Self.registration(M.self, kind: .mapper) { try M(options: $0, context: $1) }
    }

    public mutating func register<F: EventFormatter>(formatter type: F.Type) {
        formatters[F.id] = Self.registration(
            F.self, kind: .formatter, schema: F.schema, framing: F.framing, aliases: F.aliases
        ) { try F(options: $0, context: $1) }
    }

    public mutating func register<S: EventSink>(sink type: S.Type) {
        sinks[S.id] = Self.registration(S.self, kind: .sink) { try S(options: $0, context: $1) }
    }

    /// The formatter whose id or alias is `name`.
    public func formatter(named name: String) -> PluginRegistration<any EventFormatter>? {
        if let exact = formatters[name] { return exact }
        return formatters.values.first { $0.description.aliases.contains(name) }
    }

    /// Every formatter name `--format` accepts, ids and aliases, sorted.
    public var formatterNames: [String] {
        formatters.values.flatMap { [$0.description.id] + $0.description.aliases }.sorted()
    }

    private static func registration<P: Plugin, Instance>(
        _ type: P.Type, kind: PluginDescription.Kind, schema: SchemaVersion? = nil, framing: Framing? = nil,
        aliases: [String] = [], make: @escaping @Sendable (P.Options, PluginContext) throws -> Instance
    ) -> PluginRegistration<Instance> {
        let description = PluginDescription(
            kind: kind, id: P.id, summary: P.summary, typeName: String(describing: P.self),
            options: describeOptions(P.Options.self), schema: schema, framing: framing, aliases: aliases)
        return PluginRegistration(
            description: description,
            factory: { decoding, context in
                let options = try decoding.decode(P.Options.self)
                try options.validate()
                return try make(options, context)
            },
            checker: { decoding in try decoding.decode(P.Options.self).validate() })
    }

    /// Reads each key's default off `Options()`, so a default is stated once, in `init()`, and
    /// the listing can never disagree with it. Convention: the property is the key in camel case
    /// (`busy_timeout_ms` → `busyTimeoutMS`), compared without case. Keys of `FlattenedOptions`
    /// properties follow the plugin's own.
    static func describeOptions<O: PluginOptions>(_ type: O.Type) -> [OptionDescription] {
        let defaults = O()
        var options = describe(keys: O.CodingKeys.self, defaults: defaults)
        for child in Mirror(reflecting: defaults).children {
            if let group = child.value as? any FlattenedOptions { options += describeGroup(group) }
        }
        return options
    }

    private static func describeGroup<F: FlattenedOptions>(_ group: F) -> [OptionDescription] {
        describe(keys: F.CodingKeys.self, defaults: group)
    }

    private static func describe<K: OptionKey>(keys: K.Type, defaults: Any) -> [OptionDescription] {
        let mirror = Mirror(reflecting: defaults)
        return K.allCases.map { key in
            let property = key.stringValue.replacingUnderscores().lowercased()
            let child = mirror.children.first { $0.label?.lowercased() == property }
            return OptionDescription(
                key: key.stringValue, help: key.help, defaultValue: child.map { describe($0.value) } ?? "?",
                isSecret: key.isSecret)
        }
    }

    private static func describe(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first else { return "none" }
            return describe(wrapped.value)
        }
        if let value = value as? any RawRepresentable { return "\(value.rawValue)" }
        if let strings = value as? [String] { return strings.isEmpty ? "[]" : strings.joined(separator: ", ") }
        if let map = value as? [String: String] {
            return map.isEmpty ? "{}" : map.keys.sorted().map { "\($0): …" }.joined(separator: ", ")
        }
        return "\(value)"
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(unicodeScalars.filter { $0 != "_" }) }
}
