import SIEMCore

/// One pipeline ready to run: a formatter and a sink with the name checkpoints are kept under.
public struct AssembledPipeline {
    public var name: String
    public var formatter: any EventFormatter
    public var formatterID: String
    public var framing: Framing
    public var sink: any EventSink
    public var sinkID: String
    /// The pipeline's redaction stage, applied to each event before its formatter sees it.
    public var redactor: EventRedactor? = nil
    /// What happens to an event the receiver refuses for good.
    public var onRefused: RefusalPolicy = .deadLetter
    /// The pipeline's own dead-letter file for refused events (`dead_letter:`), resolved; nil
    /// shares the config's.
    public var deadLetterPath: String? = nil
    /// The schema version a config pinned (an older one the formatter still writes); nil: the
    /// formatter's current one.
    public var schema: SchemaVersion? = nil
}

/// `on_refused:` — what a pipeline does with an event its receiver refuses for good (invalid,
/// too large, a mapping error).
public enum RefusalPolicy: String, OptionChoice {
    /// Set it aside in the dead-letter file with the receiver's reason, and go on.
    case deadLetter = "dead_letter"
    /// Stop the pipeline before it, keeping it and everything after it for the next run.
    case stop
}

/// One source made live: its mapper, the pipelines it feeds, and where its progress is kept.
public struct AssembledStream {
    /// The name of its `sources:` entry; nil for a config's one unnamed source.
    public var name: String?
    public var source: any EventSource
    public var mapper: any EventMapper
    public var pipelines: [AssembledPipeline]
    /// Its state file, resolved; nil when the config names none (`run` then refuses to start).
    public var checkpointPath: String?
    /// Where its rows that cannot become events go, resolved; nil: beside its checkpoint.
    public var deadLetterPath: String?

    /// `source 'audit'` for a named source, else the source's identity (its database path).
    public var displayName: String { name.map { "source '\($0)'" } ?? source.identity }
}

/// Everything a config describes, made into live plugins.
public struct AssembledPipelines {
    /// Every source with its pipelines, in the order the config lists them.
    public var streams: [AssembledStream]
    public var batchSize: Int
    /// What the config does that still works but should change (a renamed sink type).
    public var warnings: [ConfigDiagnostic] = []

    /// Every pipeline of every source.
    public var pipelines: [AssembledPipeline] { streams.flatMap(\.pipelines) }
}
