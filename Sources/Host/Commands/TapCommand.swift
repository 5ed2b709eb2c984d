import ArgumentParser
import Foundation
import SIEMCore
import SIEMSinks

/// `siem-export tap --config FILE --pipeline NAME [--limit N]`: the records a pipeline would
/// send next, printed instead of sent (Vector's `vector tap`, for one pipeline of a config).
///
/// It is the pipeline as `run` assembles it — source, mapper, redaction, formatter — with its
/// sink replaced by standard output: the real sink is made as `validate` makes it (dry run,
/// nothing opened), the checkpoint is read without writing, and no checkpoint moves.
struct TapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract:
            "Print the records a pipeline would send next (after its checkpoint), delivering nothing and moving no checkpoint.",
        discussion: ExitCodes.help([
            ExitCodes.done, ExitCodes.usage, ExitCodes.noInput, ExitCodes.stateFile, ExitCodes.config,
        ]))

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    @Option(name: .long, help: "The pipeline to preview (its `name:`).")
    var pipeline: String

    @Option(name: .long, parsing: .unconditional, help: "At most this many records.")
    var limit: Int = 10

    @Flag(name: .customLong("from-start"), help: "Ignore the checkpoint: from the source's first row.")
    var fromStart = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        try await CLIErrorReporting.run {
            var file = try ConfigLoader().load(path: config)
            guard let chosen = file.pipelines.first(where: { $0.name == pipeline }) else {
                throw SIEMError.usage(
                    "\(config) has no pipeline '\(pipeline)'"
                        + Suggestion.hint(for: pipeline, in: file.pipelines.map(\.name)))
            }
            // Only this pipeline matters: another's secret may be unset on the machine previewing.
            let prefix = String(chosen.formatter.path.prefix { $0 != "." })
            file.diagnostics.removeAll { $0.path.hasPrefix("pipelines[") && !$0.path.hasPrefix(prefix) }
            file.pipelines = [chosen]
            let registry = BuiltInPlugins.registry
            let assembled = try PipelineAssembler(registry: registry, dryRun: true).assemble(file)
            var tapped = assembled.pipelines[0]
            let stdout = try ExportCommand.make(
                registry.sinks[StdoutSink.id], [:], "sink", PluginContext(baseDirectory: file.baseDirectory))
            let produced = registry.formatter(named: tapped.formatterID)?.description.framings ?? []
            guard let framing = Framing.negotiate(produced: produced, accepted: StdoutSink.framings(for: NoOptions()))
            else { throw SIEMError.usage("the \(tapped.formatterID) formatter writes nothing standard output takes") }
            let destination = tapped.sink.destination
            (tapped.sink, tapped.sinkID, tapped.framing) = (stdout, StdoutSink.id, framing)

            let source = assembled.source
            var after: Int64 = 0
            if !fromStart, let checkpoint = file.checkpointPath {
                let statePath = PluginContext(baseDirectory: file.baseDirectory).resolve(path: checkpoint)
                after = try CheckpointStore.peekLastID(path: statePath, pipeline: pipeline, source: source.identity)
            }
            let end = try source.highestID() ?? 0
            // What cannot become an event is named on standard error, as `export` does; nothing is written.
            var plan = RunPlan(
                query: SourceQuery(afterID: after, throughID: end, order: .id), startAfter: [after], limit: limit)
            plan.rowDeadLetter = StderrDeadLetters()
            plan.refusalDeadLetters = [StderrDeadLetters()]
            let summary = try await PipelineRunner(batchSize: min(assembled.batchSize, limit)).run(
                source: source, mapper: assembled.mapper, pipelines: [tapped], plan: plan)[0]
            let position = after > 0 ? "after checkpoint id \(after)" : "from the first row"
            StandardError.print(
                "tap: \(summary.delivered) record(s) of pipeline \(pipeline) (\(tapped.formatterID), \(position)) that would go to \(destination); nothing was sent and no checkpoint moved"
            )
        }
    }
}
