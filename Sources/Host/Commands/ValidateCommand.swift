import ArgumentParser
import SIEMCore

/// `siem-export validate --config FILE`: every check `run` makes before reading a row, and nothing more.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract:
            "Check a config (keys, types, schema pins, source databases, output paths, templates against their golden files) without running it; every problem is listed.",
        discussion: ExitCodes.help([
            ExitCodes.done, ExitCodes.usage, ExitCodes.noInput, ExitCodes.cannotCreate, ExitCodes.stateFile,
            ExitCodes.tryAgain, ExitCodes.config,
        ]))

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    func run() async throws {
        try await CLIErrorReporting.run {
            let file = try ConfigLoader().load(path: config)
            let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(file)
            for warning in assembled.warnings { StandardError.print(warning.description) }
            // Each source's end, at the key naming the source when it cannot be read (a followed
            // file not there yet); then the state files, as `run` reads them first (read-only
            // here, nothing created).
            var build = BuildProblems(config: file, context: PluginContext(baseDirectory: file.baseDirectory))
            var ends: [SourcePosition?] = []
            for (source, stream) in zip(file.sources, assembled.streams) {
                do {
                    ends.append(try stream.source.endPosition())
                } catch {
                    ends.append(nil)
                    build.record(error, at: source.source)
                }
            }
            if !build.diagnostics.isEmpty { throw ConfigErrors(diagnostics: build.diagnostics) }
            if let transient = build.transient { throw transient }
            let stateProblems = zip(assembled.streams, ends).flatMap {
                CheckpointStore.problems(of: $0, end: $1 ?? .start)
            }
            if let first = stateProblems.first {
                for other in stateProblems.dropFirst() { StandardError.print("error: \(other.description)") }
                throw first
            }
            func rows(_ index: Int) -> String {
                ends[index].map(assembled.streams[index].source.endInWords(_:)) ?? "no rows yet"
            }
            if assembled.streams.count == 1, let stream = assembled.streams.first {
                print(
                    "\(config): OK: \(assembled.pipelines.count) pipeline(s), source \(stream.source.identity) (\(rows(0)))"
                )
                for p in stream.pipelines { print("  \(p.name): \(p.formatterID) → \(p.sinkID) \(p.sink.destination)") }
                return
            }
            print("\(config): OK: \(assembled.pipelines.count) pipeline(s) from \(assembled.streams.count) sources")
            for (index, stream) in assembled.streams.enumerated() {
                print(
                    "  \(stream.name ?? "source"): \(stream.mapper.category.rawValue) events from \(stream.source.identity) (\(rows(index)))"
                )
                for p in stream.pipelines {
                    print("    \(p.name): \(p.formatterID) → \(p.sinkID) \(p.sink.destination)")
                }
            }
        }
    }
}
