import SIEMCore
import Yams

/// A plugin's node in the config: its `type`, an optional schema pin, and its own options.
public struct PluginNode {
    /// Empty for a node that has options only (`redact:`).
    public var type: String
    /// Where the `type:` value is, for errors about the plugin chosen.
    public var typeMark: Mark?
    /// `schema:` (formatters only): the schema version the operator expects.
    public var schema: String?
    public var schemaMark: Mark?
    /// The node's other keys, decoded by the plugin itself.
    public var options: Node
    /// Option keys (and `headers.<name>`) whose value was written as `${env:…}`/`${file:…}`.
    public var referencedKeys: Set<String> = []
    /// Paths of values whose reference could not be expanded (an unset `${env:…}`): that error is
    /// already reported, so the value's own checks stay quiet, and the reference text is kept out
    /// of the secrets redacted from output (it is not the secret).
    public var unresolvedPaths: Set<String> = []
    /// Where the node is, e.g. `pipelines[0].sink`.
    public var path: String
    public var mark: Mark?
}

public struct PipelineConfig {
    public var name: String
    /// `source:`: the name of the entry of `sources:` it reads; nil for a config's one source.
    public var source: String?
    public var sourceMark: Mark?
    public var formatter: PluginNode
    public var sink: PluginNode
    public var mark: Mark?
    /// `redact:`, when the pipeline has one (options only, no `type`).
    public var redact: PluginNode?
    /// `dead_letter: {path:}`: the pipeline's own file for events its receiver refuses.
    public var deadLetterPath: String?
    /// `on_refused:`.
    public var onRefused: RefusalPolicy = .deadLetter
}

/// One stream of events: a source, its mapper, and where its progress is kept. An entry of
/// `sources:`, or a config's top-level `source:` and `mapper:` (then unnamed).
public struct SourceConfig {
    /// `name:` in `sources:`; nil for the top-level form.
    public var name: String?
    public var source: PluginNode
    public var mapper: PluginNode
    /// Its own `checkpoint: {path:}`; nil takes the config's.
    public var checkpointPath: String?
    /// Its own `dead_letter: {path:}` for rows that cannot become events; nil takes the config's.
    public var deadLetterPath: String?
    /// Where it is, e.g. `sources[1]` (empty for the top level).
    public var path: String
    public var mark: Mark?
}

/// A parsed, structurally checked config file (`version: 1`). Plugin options are not decoded
/// here: the assembler hands each node to its plugin.
public struct PipelineConfigFile {
    public static let supportedVersion = 1
    public static let topLevelKeys = [
        "version", "source", "mapper", "sources", "checkpoint", "dead_letter", "metrics", "batch_size", "pipelines",
    ]
    /// The keys of one entry of `sources:`.
    public static let sourceEntryKeys = ["name", "source", "mapper", "checkpoint", "dead_letter"]
    public static let defaultBatchSize = 1_000

    public var path: String
    /// The config file's directory, against which relative paths resolve.
    public var baseDirectory: String
    /// Every source, in the order written: one for a config with `source:`, the entries of `sources:`.
    public var sources: [SourceConfig]
    /// The state file of every source that names none of its own.
    public var checkpointPath: String?
    /// Where rows that cannot become events go (`dead_letter.path`), for every source that names
    /// no file of its own; by default beside the source's checkpoint.
    public var deadLetterPath: String?
    /// `metrics.listen`: host:port of the Prometheus endpoint; nil serves none.
    public var metricsListen: String?
    public var batchSize: Int
    public var pipelines: [PipelineConfig]
    /// Problems found while reading; the assembler reports them with its own.
    public var diagnostics: [ConfigDiagnostic] = []

    /// The pipelines that read `source` (with one source, every pipeline).
    public func pipelines(of source: SourceConfig) -> [PipelineConfig] {
        pipelines.filter { $0.source == source.name }
    }

    /// Each source's state file, resolved: its own, else the config's.
    public func checkpointPath(of source: SourceConfig) -> String? {
        (source.checkpointPath ?? checkpointPath).map { PluginContext(baseDirectory: baseDirectory).resolve(path: $0) }
    }
}
