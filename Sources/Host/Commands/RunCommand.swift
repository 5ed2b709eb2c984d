import ArgumentParser
import SIEMCore

/// `siem-export run --config FILE`: every pipeline from its checkpoint to the end of the table.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every pipeline of a config from its checkpoint to the end of the events table, then exit.")

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    func run() async throws {
        try await CLIErrorReporting.run {
            let file = try ConfigLoader().load(path: config)
            guard let checkpointPath = file.checkpointPath else {
                throw ConfigErrors(diagnostics: [
                    ConfigDiagnostic(
                        file: file.path, path: "checkpoint",
                        message: "`run` needs `checkpoint: {path: FILE}` to remember what was delivered")
                ])
            }
            let statePath = PluginContext(baseDirectory: file.baseDirectory).resolve(path: checkpointPath)
            // Locked before anything is opened: a second run must not even truncate an output.
            let lock = try RunLock(checkpointPath: statePath)
            defer { withExtendedLifetime(lock) {} }
            let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry).assemble(file)
            let store = try CheckpointStore(path: statePath)
            let identity = assembled.source.identity
            let startAfter = try assembled.pipelines.map { try store.lastID(pipeline: $0.name, source: identity) }
            let end = try assembled.source.highestID() ?? 0
            let query = SourceQuery(afterID: startAfter.min() ?? 0, throughID: end, order: .id)
            let signals = StopSignals()
            let job = UncheckedSendable((assembled, store, PipelineRunner(batchSize: assembled.batchSize)))
            var summaries: [PipelineSummary]
            var interrupted = false
            do {
                summaries = try await withStopSignals(signals) {
                    let (assembled, store, runner) = job.value
                    return try await runner.run(
                        source: assembled.source, mapper: assembled.mapper, pipelines: assembled.pipelines,
                        query: query,
                        startAfter: startAfter,
                        onDelivered: { index, lastID in
                            try store.advance(pipeline: assembled.pipelines[index].name, source: identity, to: lastID)
                        }, shouldStop: { signals.stopRequested })
                }
                interrupted = signals.stopRequested
            } catch is CancellationError {
                // The batch in flight was abandoned: report what the checkpoints hold.
                interrupted = true
                summaries = try assembled.pipelines.map { p in
                    let last = try store.lastID(pipeline: p.name, source: identity)
                    return PipelineSummary(
                        name: p.name, formatterID: p.formatterID, destination: p.sink.destination, delivered: 0,
                        lastID: last > 0 ? last : nil)
                }
            }
            if interrupted { StandardError.print("stopped by signal; every checkpoint is saved") }
            for pipeline in assembled.pipelines { try await pipeline.sink.close() }
            for s in summaries {
                let checkpoint = s.lastID.map { "checkpoint id \($0)" } ?? "no checkpoint yet"
                StandardError.print(
                    "pipeline \(s.name): exported \(s.delivered) event(s) as \(s.formatterID) to \(s.destination) (\(checkpoint))"
                )
            }
        }
    }
}

/// Runs `body` in a task that the second stop signal cancels.
func withStopSignals<T: Sendable>(
    _ signals: StopSignals, _ body: @escaping @Sendable () async throws -> T
) async throws
    -> T
{
    let task = Task { try await body() }
    signals.install { task.cancel() }
    return try await task.value
}
