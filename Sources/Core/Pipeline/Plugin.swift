/// A plugin's options, decoded from its YAML node.
///
/// Every default is stated once, in `init()`; decoding starts from `init()` and overrides only
/// the keys present (use `KeyedDecodingContainer.update`). A test checks `Options() == decode({})`.
public protocol PluginOptions: Decodable, Equatable, Sendable {
    /// The YAML keys, each with one line of help; the host rejects any key not listed here.
    associatedtype CodingKeys: OptionKey
    init()
    /// Cross-field checks, no I/O; throw `SIEMError.invalidOption`.
    func validate() throws
}

/// An option's YAML key with its help text, shown by `siem-export plugins`.
public protocol OptionKey: CodingKey, CaseIterable, Sendable {
    var help: String { get }
    /// A credential: a config must give it by reference (`${env:…}`, `${file:…}`), never inline.
    var isSecret: Bool { get }
}

extension OptionKey {
    public var isSecret: Bool { false }
}

/// What a plugin learns from where it is assembled.
public struct PluginContext: Sendable {
    /// Relative paths in options are resolved against this directory (the config file's).
    public var baseDirectory: String
    /// The pipeline this instance serves, for error messages; nil for the shared source.
    public var pipelineName: String?
    /// `siem-export validate`: check what would be touched (paths, permissions) but create,
    /// truncate or send nothing.
    public var dryRun: Bool

    public init(baseDirectory: String, pipelineName: String? = nil, dryRun: Bool = false) {
        self.baseDirectory = baseDirectory
        self.pipelineName = pipelineName
        self.dryRun = dryRun
    }

    /// `path` made absolute against `baseDirectory`; absolute paths and `-` are kept.
    public func resolve(path: String) -> String {
        if path.hasPrefix("/") || path == "-" || path.isEmpty { return path }
        let base = baseDirectory.hasSuffix("/") ? String(baseDirectory.dropLast()) : baseDirectory
        return Self.normalize(base.isEmpty ? path : base + "/" + path)
    }

    /// Folds `.` and `dir/..` segments lexically, so messages show `/srv/demo/out.jsonl`,
    /// not `/srv/config/../demo/out.jsonl`.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", path.hasPrefix("/"), parts.isEmpty { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

/// A module that the YAML config names by `type:`.
public protocol Plugin: SendableMetatype {
    associatedtype Options: PluginOptions
    /// The YAML `type:` value.
    static var id: String { get }
    /// One line, shown by `siem-export plugins`.
    static var summary: String { get }
    init(options: Options, context: PluginContext) throws
}

extension KeyedDecodingContainer {
    /// Overrides `value` when `key` is present, keeping the default from `init()` otherwise.
    public func update<T: Decodable>(_ value: inout T, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }

    /// For optional options: present-and-non-null overrides, absent keeps the default.
    public func update<T: Decodable>(_ value: inout T?, _ key: Key) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }
}

/// An option with a fixed set of values; a wrong value is refused with the list of right ones.
public protocol OptionChoice: RawRepresentable, CaseIterable, Decodable, Sendable where RawValue == String {}

extension OptionChoice {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected one of: " + Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = value
    }
}

/// A group of options several plugins share (HTTP transport and retry settings), written as keys
/// of the plugin's own node. The plugin's `Options` holds it as a property and decodes it from the
/// same decoder; the registry lists its keys with the plugin's and accepts them in configs.
public protocol FlattenedOptions: Decodable, Equatable, Sendable {
    associatedtype CodingKeys: OptionKey
    init()
    func validate() throws
}
