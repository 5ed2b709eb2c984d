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
}

/// Everything a config describes, made into live plugins.
public struct AssembledPipelines {
    public var source: any EventSource
    public var mapper: any EventMapper
    public var pipelines: [AssembledPipeline]
    public var checkpointPath: String?
    public var batchSize: Int
}
