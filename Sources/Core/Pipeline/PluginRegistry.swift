/// What the registry knows of a plugin without making one.
public struct PluginDescription: Sendable {
    public enum Kind: String, Sendable { case source, mapper, formatter, sink }
    public let kind: Kind
    public let id: String
    public let summary: String
    /// The Swift type, so tests can match source folders to registrations.
    public let typeName: String
    public let options: [OptionDescription]
    /// What is wrong with the options' declaration (`PluginOptions.declarationProblems`).
    public let declarationProblems: [String]
    public let schema: SchemaVersion?
    /// A formatter's: every schema version it can write, the current first.
    public let schemas: [SchemaVersion]
    /// A formatter's: the framings its records can take.
    public let framings: [FramingKind]
    /// A formatter's: the event categories it renders.
    public let categories: [EventCategory]
    /// A formatter's: the categories each schema version it writes renders, when a version
    /// renders fewer than `categories`.
    let pinnedCategories: [SchemaVersion: [EventCategory]]
    /// A sink's, with its default options: the framings it accepts, in order of preference.
    public let acceptedFramings: [Framing]
    public let aliases: [String]

    public var optionKeys: [String] { options.map(\.key) }

    /// The categories a formatter renders under `pin` (nil: the current schema).
    public func categories(pinned pin: SchemaVersion?) -> [EventCategory] {
        pin.flatMap { pinnedCategories[$0] } ?? categories
    }
}

/// A registered plugin: its description and how to build it from decoded options.
public struct PluginRegistration<Instance>: Sendable {
    public let description: PluginDescription
    let factory: @Sendable (any OptionsDecoding, PluginContext) throws -> Instance
    let checker: @Sendable (any OptionsDecoding) throws -> Void
    let framer: @Sendable (any OptionsDecoding) throws -> [Framing]

    /// Decodes and validates the options without making the plugin (no file or database opened);
    /// throws `OptionProblems` with every problem found.
    public func check(options: any OptionsDecoding) throws {
        try checker(options)
    }

    /// A sink's accepted framings with these options (`EventSink.framings(for:)`); empty for
    /// other plugins.
    public func acceptedFramings(options: any OptionsDecoding) throws -> [Framing] {
        try framer(options)
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
    /// A renamed sink's former `type:` → its id.
    public private(set) var formerSinkIDs: [String: String] = [:]

    public init() {}

    public mutating func register<S: EventSource>(source type: S.Type) {
        sources[S.id] = Self.registration(S.self, kind: .source) { try S(options: $0, context: $1) }
    }

    public mutating func register<M: EventMapper>(mapper type: M.Type) {
        mappers[M.id] = Self.registration(M.self, kind: .mapper) { try M(options: $0, context: $1) }
    }

    public mutating func register<F: EventFormatter>(formatter type: F.Type) {
        formatters[F.id] = Self.registration(
            F.self, kind: .formatter, schema: F.schema, schemas: F.schemas, framings: F.framings,
            categories: F.categories,
            pinnedCategories: Dictionary(uniqueKeysWithValues: F.schemas.map { ($0, F.categories(writing: $0)) }),
            aliases: F.aliases
        ) { try F(options: $0, context: $1) }
    }

    public mutating func register<S: EventSink>(sink type: S.Type) {
        for former in S.formerIDs { formerSinkIDs[former] = S.id }
        sinks[S.id] = Self.registration(
            S.self, kind: .sink, acceptedFramings: S.framings(for: S.Options()),
            framer: { S.framings(for: try S.Options.decode(from: $0)) }, make: { try S(options: $0, context: $1) })
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
        _ type: P.Type, kind: PluginDescription.Kind, schema: SchemaVersion? = nil, schemas: [SchemaVersion] = [],
        framings: [FramingKind] = [],
        categories: [EventCategory] = [],
        pinnedCategories: [SchemaVersion: [EventCategory]] = [:],
        acceptedFramings: [Framing] = [],
        framer: @escaping @Sendable (any OptionsDecoding) throws -> [Framing] = { _ in [] },
        aliases: [String] = [], make: @escaping @Sendable (P.Options, PluginContext) throws -> Instance
    ) -> PluginRegistration<Instance> {
        let description = PluginDescription(
            kind: kind, id: P.id, summary: P.summary, typeName: String(describing: P.self),
            options: P.Options.descriptions, declarationProblems: P.Options.declarationProblems, schema: schema,
            schemas: schemas,
            framings: framings, categories: categories, pinnedCategories: pinnedCategories,
            acceptedFramings: acceptedFramings, aliases: aliases)
        return PluginRegistration(
            description: description,
            factory: { decoding, context in try make(P.Options.decode(from: decoding), context) },
            checker: { decoding in _ = try P.Options.decode(from: decoding) }, framer: framer)
    }
}
