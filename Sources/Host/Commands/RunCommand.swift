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
            let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry).assemble(file)
            let store = try CheckpointStore(
                path: PluginContext(baseDirectory: file.baseDirectory).resolve(path: checkpointPath))
            let identity = assembled.source.identity
            let startAfter = try assembled.pipelines.map { try store.lastID(pipeline: $0.name, source: identity) }
            let end = try assembled.source.highestID() ?? 0
            let query = SourceQuery(afterID: startAfter.min() ?? 0, throughID: end, order: .id)
            let summaries = try await PipelineRunner(batchSize: assembled.batchSize).run(
                source: assembled.source, mapper: assembled.mapper, pipelines: assembled.pipelines, query: query,
                startAfter: startAfter
            ) { index, lastID in
                try store.advance(pipeline: assembled.pipelines[index].name, source: identity, to: lastID)
            }
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
