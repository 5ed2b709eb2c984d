import ArgumentParser
import Foundation
import SIEMCore

#if canImport(Glibc)
    import Glibc
#endif

/// `siem-export init --preset NAME [--output FILE]`: a commented starter config for one SIEM that
/// validates at once against the demo registry, as `vector generate` or `otelcol`'s sample
/// configs give a user something that runs before anything is tuned.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter config for one SIEM (to standard output, or a new file).",
        discussion: ExitCodes.help(
            [ExitCodes.done, ExitCodes.usage, ExitCodes.cannotCreate],
            note: "Presets: \(StarterPreset.names.joined(separator: ", ")). With the default paths the config "
                + "validates against the demo registry (siem-export demo-registry demo/registry.sqlite) once "
                + "the environment variables its header names are set."))

    @Option(name: .long, help: "The SIEM: \(StarterPreset.names.joined(separator: ", ")).")
    var preset: String

    @Option(name: .long, help: "The file to write (new or empty, unless --force); default: standard output.")
    var output: String?

    @Flag(name: .long, help: "Replace an --output file that already holds something.")
    var force = false

    @Option(name: .long, help: "The registry's SQLite file, relative to the current directory.")
    var registry = "demo/registry.sqlite"

    @Option(
        name: .customLong("registry-id"),
        help: "The registry's id, or a reference such as '${file:/etc/siem-export/registry-id}'.")
    var registryID = DemoRegistryWriter.demoRegistryID

    @Option(
        name: .customLong("state-dir"),
        help: "Where the checkpoint (and the file preset's output) go; default: the registry's directory.")
    var stateDirectory: String?

    func validate() throws {
        guard StarterPreset(rawValue: preset) != nil else {
            throw ValidationError(
                "unknown preset '\(preset)'" + Suggestion.hint(for: preset, in: StarterPreset.names))
        }
        if force && output == nil { throw ValidationError("--force applies to --output FILE only") }
        if output == "" { throw ValidationError("--output needs a file name") }
    }

    func run() async throws {
        try await CLIErrorReporting.run {
            guard let preset = StarterPreset(rawValue: preset) else { throw ExitCode.validationFailure }
            let configDirectory = RelativePath.absolute(
                output.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? ".")
            // A path given relative to here is rebased on the config's directory (where the loader
            // resolves it); one given absolute stays as it is.
            func named(_ path: String) -> String {
                path.hasPrefix("/") ? path : RelativePath.relative(RelativePath.absolute(path), from: configDirectory)
            }
            let state =
                stateDirectory
                ?? {
                    let directory = (registry as NSString).deletingLastPathComponent
                    return directory.isEmpty ? "." : directory
                }()
            let text = StarterConfig(
                preset: preset, registryPath: named(registry), registryID: registryID, stateDirectory: named(state)
            ).text
            guard let output else {
                print(text, terminator: "")
                return
            }
            try write(text, to: output)
            let variables = preset.variables.map(\.name)
            StandardError.print(
                "wrote a \(preset.rawValue) starter config to \(output)"
                    + (variables.isEmpty ? "" : "; it reads \(variables.joined(separator: ", ")) from the environment")
                    + "; next: siem-export validate --config \(output)")
        }
    }

    /// The same rule as `export --output`: a file that holds anything is not replaced unless
    /// `--force` says so, so a second `init` never overwrites a config being edited.
    private func write(_ text: String, to path: String) throws {
        if !force, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 {
            throw SIEMError.output(path: path, message: "already holds \(size) bytes; --force replaces it")
        }
        guard let file = fopen(path, "w") else {
            throw SIEMError.output(path: path, message: "cannot write the config: \(String(cString: strerror(errno)))")
        }
        let written = fputs(text, file) >= 0
        let closed = fclose(file) == 0
        guard written, closed else {
            throw SIEMError.output(path: path, message: "cannot write the config: \(String(cString: strerror(errno)))")
        }
    }
}
