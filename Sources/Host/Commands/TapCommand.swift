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
            ExitCodes.done, ExitCodes.usage, ExitCodes.noInput, ExitCodes.cannotCreate, ExitCodes.stateFile,
            ExitCodes.tryAgain, ExitCodes.config,
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
            // Only this pipeline and its source matter: another's secret may be unset on the
            // machine previewing, another source's database absent.
            let source = file.sources.first { $0.name == chosen.source } ?? file.sources[0]
            let prefix = String(chosen.formatter.path.prefix { $0 != "." })
            file.diagnostics.removeAll {
                ($0.path.hasPrefix("pipelines[") && !$0.path.hasPrefix(prefix))
                    || ($0.path.hasPrefix("sources[") && (source.path.isEmpty || !$0.path.hasPrefix(source.path)))
            }
            file.pipelines = [chosen]
            file.sources = [source]
            let registry = BuiltInPlugins.registry
            var assembler = PipelineAssembler(registry: registry, dryRun: true)
            assembler.templateDriftIsError = false  // a preview of the edited template is the point
            let assembled = try assembler.assemble(file)
            for warning in assembled.warnings { StandardError.print(warning.description) }
            let stream = assembled.streams[0]
            var tapped = stream.pipelines[0]
            let stdout = try ExportCommand.make(
                registry.sinks[StdoutSink.id], [:], "sink", PluginContext(baseDirectory: file.baseDirectory))
            let produced = registry.formatter(named: tapped.formatterID)?.description.framings ?? []
            guard let framing = Framing.negotiate(produced: produced, accepted: StdoutSink.framings(for: NoOptions()))
            else { throw SIEMError.usage("the \(tapped.formatterID) formatter writes nothing standard output takes") }
            let destination = tapped.sink.destination
            (tapped.sink, tapped.sinkID, tapped.framing) = (stdout, StdoutSink.id, framing)

            var after = SourcePosition.start
            if !fromStart, let statePath = file.checkpointPath(of: source) {
                after = try CheckpointStore.peekPosition(
                    path: statePath, pipeline: pipeline, source: stream.source.identity)
            }
            guard let end = try stream.source.endPosition(), end > after else {
                let position = after > .start ? "after checkpoint \(after)" : "from the first row"
                StandardError.print(
                    "tap: 0 record(s) of pipeline \(pipeline) (\(tapped.formatterID), \(position)) that would go to \(destination); nothing was sent and no checkpoint moved"
                )
                return
            }
            // What cannot become an event is named on standard error, as `export` does; nothing is written.
            var plan = RunPlan(
                query: SourceQuery(after: after, through: end, order: .id), startAfter: [after], limit: limit)
            plan.rowDeadLetter = StderrDeadLetters()
            plan.refusalDeadLetters = [StderrDeadLetters()]
            let summary = try await PipelineRunner(batchSize: min(assembled.batchSize, limit)).run(
                source: stream.source, mapper: stream.mapper, pipelines: [tapped], plan: plan)[0]
            let position = after > .start ? "after checkpoint \(after)" : "from the first row"
            StandardError.print(
                "tap: \(summary.delivered) record(s) of pipeline \(pipeline) (\(tapped.formatterID), \(position)) that would go to \(destination); nothing was sent and no checkpoint moved"
            )
        }
    }
}
