import ArgumentParser
import Foundation
import SIEMCore
import SIEMFormatters

/// `siem-export golden check --config FILE [--update]`: the schema pin of YAML-defined targets.
/// Every `template` pipeline that names a `golden` file must render the sample events exactly as
/// recorded there, under the same template `version`; a reviewer reads the golden file's diff.
struct GoldenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "golden", abstract: "Check (or record) the golden files of template formatters.",
        subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Render sample events through each template pipeline and compare with its golden file.")

        @Option(name: .long, help: "The YAML config file.")
        var config: String

        @Flag(name: .long, help: "Record the golden files instead of comparing (review the diff before committing).")
        var update = false

        func run() async throws {
            try await CLIErrorReporting.run {
                let file = try ConfigLoader().load(path: config)
                // Only the templates matter here: a secret the checking machine lacks is no error.
                let relevant = file.diagnostics.filter { diagnostic in
                    file.pipelines.contains {
                        $0.formatter.type == TemplateFormatter.id && diagnostic.path.hasPrefix($0.formatter.path)
                    }
                }
                if !relevant.isEmpty { throw ConfigErrors(diagnostics: relevant) }
                var checked = 0
                var failures: [String] = []
                for pipeline in file.pipelines where pipeline.formatter.type == TemplateFormatter.id {
                    let decoding = YAMLOptionsDecoding(
                        node: pipeline.formatter.options, file: file.path, path: pipeline.formatter.path)
                    let options = try decoding.decodeOptions(TemplateFormatter.Options.self)
                    let formatter = try TemplateFormatter(
                        options: options, context: PluginContext(baseDirectory: file.baseDirectory))
                    guard let path = formatter.goldenPath else {
                        failures.append(
                            "pipeline \(pipeline.name): no `golden:` file named, so nothing pins its output")
                        continue
                    }
                    let rendered = try Self.render(formatter)
                    checked += 1
                    if update {
                        try Data(rendered).write(to: URL(fileURLWithPath: path))
                        print("pipeline \(pipeline.name): recorded \(path) (\(formatter.version))")
                        continue
                    }
                    guard let recorded = FileManager.default.contents(atPath: path) else {
                        failures.append(
                            "pipeline \(pipeline.name): golden file \(path) is missing; record it with --update")
                        continue
                    }
                    if let difference = Self.firstDifference(Array(recorded), rendered) {
                        failures.append("pipeline \(pipeline.name): \(path): \(difference)")
                    } else {
                        print("pipeline \(pipeline.name): \(path) matches (\(formatter.version))")
                    }
                }
                if checked == 0 && failures.isEmpty {
                    throw SIEMError.usage("\(config) has no pipeline with a `template` formatter")
                }
                if !failures.isEmpty {
                    for failure in failures { StandardError.print("error: " + failure) }
                    throw ExitCode(65)
                }
            }
        }

        /// `# template <version>` and then one line per sample event.
        static func render(_ formatter: TemplateFormatter) throws -> [UInt8] {
            var writer = RecordWriter()
            writer.appendRaw(Array("# template \(formatter.version)\n".utf8))
            for event in SampleEvents.all {
                try formatter.encode(event, into: &writer)
                writer.endRecord()
            }
            return writer.bytes
        }

        /// Where recorded and rendered output part, as one line of explanation; nil when equal.
        static func firstDifference(_ recorded: [UInt8], _ rendered: [UInt8]) -> String? {
            guard recorded != rendered else { return nil }
            let old = String(decoding: recorded, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let new = String(decoding: rendered, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let line =
                zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
            if line == 0 {
                return
                    "recorded for \(old.first ?? "?") but the template now says \(new.first ?? "?"); a changed template needs a new version"
            }
            let was = line < old.count ? String(old[line]) : "(nothing)"
            let now = line < new.count ? String(new[line]) : "(nothing)"
            return
                "output differs at line \(line + 1): recorded \(was) — now \(now); bump `version` and re-record with --update"
        }
    }
}
