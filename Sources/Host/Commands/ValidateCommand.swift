import ArgumentParser
import SIEMCore

/// `siem-export validate --config FILE`: every check `run` makes before reading a row, and nothing more.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config (keys, types, schema pins, source database, output paths) without running it.")

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    func run() async throws {
        try await CLIErrorReporting.run {
            let file = try ConfigLoader().load(path: config)
            let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(file)
            for warning in assembled.warnings { StandardError.print(warning.description) }
            let rows = try assembled.source.endPosition().map { "rows up to \($0)" } ?? "no rows yet"
            print(
                "\(config): OK: \(assembled.pipelines.count) pipeline(s), source \(assembled.source.identity) (\(rows))"
            )
            for p in assembled.pipelines {
                print("  \(p.name): \(p.formatterID) → \(p.sinkID) \(p.sink.destination)")
            }
        }
    }
}
