/// What a plugin learns from where it is assembled.
public struct PluginContext: Sendable {
    /// Relative paths in options are resolved against this directory (the config file's).
    public var baseDirectory: String
    /// The pipeline this instance serves, for error messages; nil for the shared source.
    public var pipelineName: String?
    /// `siem-export validate`: check what would be touched (paths, permissions) but create,
    /// truncate or send nothing.
    public var dryRun: Bool
    /// Tells the operator of something the plugin did on its own (a torn line cut off a file),
    /// at warning level in the host's log.
    public var warn: @Sendable (String) -> Void
    /// A formatter's pinned schema version (`schema:` in the config), one of its `schemas`; nil
    /// writes the current one.
    public var schema: SchemaVersion?
    /// The name of the source a mapper serves (its entry in `sources:`), nil for a config's one
    /// unnamed source.
    public var sourceName: String?

    public init(
        baseDirectory: String, pipelineName: String? = nil, dryRun: Bool = false,
        warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.baseDirectory = baseDirectory
        self.pipelineName = pipelineName
        self.dryRun = dryRun
        self.warn = warn
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
