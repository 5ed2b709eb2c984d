import ArgumentParser
import Foundation
import SIEMCore
import SIEMFormatters

/// `siem-export golden check|diff`: the schema pin of YAML-defined targets, and the reviewer's
/// view of an output change. Every `template` pipeline that names a `golden` file must render the
/// sample events exactly as recorded there, under the same template `version`, and pass its own
/// `tests:`.
struct GoldenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "golden", abstract: "Check, record or compare the golden files of template formatters.",
        subcommands: [Check.self, GoldenDiffCommand.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract:
                "Render sample events through each template pipeline, compare with its golden file, and run its tests.",
            discussion: ExitCodes.help([
                ExitCodes.done, ExitCodes.differs, ExitCodes.usage, ExitCodes.cannotCreate, ExitCodes.config,
            ]))

        @Option(name: .long, help: "The YAML config file.")
        var config: String

        @Flag(name: .long, help: "Record the golden files instead of comparing (review the diff before committing).")
        var update = false

        func run() async throws {
            try await CLIErrorReporting.run {
                let templates = try GoldenTemplates(configPath: config)
                let color = DiffColor.auto.enabled(forDescriptor: STDERR_FILENO)
                var failures = 0
                for template in templates.pipelines {
                    let name = template.pipeline
                    guard let path = template.formatter.goldenPath else {
                        StandardError.print(
                            "error: pipeline \(name): no `golden:` file named, so nothing pins its output")
                        failures += 1
                        continue
                    }
                    let rendered = try GoldenTemplates.render(template.formatter)
                    if update {
                        do {
                            try Data(rendered).write(to: URL(fileURLWithPath: path))
                        } catch {
                            throw SIEMError.output(path: path, message: "cannot record the golden file: \(error)")
                        }
                        print("pipeline \(name): recorded \(path) (\(template.formatter.version))")
                    } else if let recorded = FileManager.default.contents(atPath: path) {
                        if let report = GoldenTemplates.mismatch(Array(recorded), rendered, color: color) {
                            StandardError.print("error: pipeline \(name): \(path): \(report.summary)")
                            if !report.details.isEmpty { StandardError.print(report.details, terminator: "") }
                            failures += 1
                        } else {
                            print("pipeline \(name): \(path) matches (\(template.formatter.version))")
                        }
                    } else {
                        StandardError.print(
                            "error: pipeline \(name): golden file \(path) is missing; record it with --update")
                        failures += 1
                    }
                    failures += try runTests(of: template, color: color)
                }
                if failures > 0 { throw ExitCode(ExitCodes.differs.value) }
            }
        }

        /// Each of the template's `tests:`; returns how many failed.
        func runTests(of template: GoldenTemplates.Pipeline, color: Bool) throws -> Int {
            var failed = 0
            for test in template.formatter.tests {
                let changes = try GoldenTemplates.testChanges(of: test, through: template.formatter)
                if changes.isEmpty {
                    print("pipeline \(template.pipeline): test '\(test.name)' passes")
                    continue
                }
                failed += 1
                StandardError.print(
                    "error: pipeline \(template.pipeline): test '\(test.name)' fails (expected → got):")
                let diff = RecordDiff(records: [.init(number: 1, line: 1, changes: changes)], compared: 1)
                let lines = RecordDiffRendering.text(diff, color: color, indent: "  ").split(separator: "\n")
                StandardError.print(lines.dropFirst().dropLast().joined(separator: "\n"))
            }
            return failed
        }
    }
}
