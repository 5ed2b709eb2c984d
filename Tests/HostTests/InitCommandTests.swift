import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// `siem-export init`: every starter config validates against a demo registry as soon as the
/// variables its header names are set, the `file` one runs, and a config being edited is never
/// overwritten by accident.
@Suite struct InitCommandTests {
    /// A stand-in for every secret: valid base64, as some credentials must be.
    static let secret = "c2FtcGxlLXNlY3JldA=="

    /// A harness whose directory holds `demo/registry.sqlite`, where `init`'s defaults point.
    func harnessWithDemoRegistry(rows: Int = 120) throws -> CLIHarness {
        let cli = try CLIHarness()
        let made = try cli.run(["demo-registry", "demo/registry.sqlite", "--rows", "\(rows)", "--quiet"])
        try #require(made.status == 0, "\(made.stderr)")
        return cli
    }

    /// Every `${env:NAME}` the config reads, which its header must name.
    static func referencedVariables(_ text: String) -> Set<String> {
        Set(
            text.components(separatedBy: "${env:").dropFirst().compactMap { part in
                part.firstIndex(of: "}").map { String(part[..<$0]) }
            })
    }

    @Test(arguments: StarterPreset.allCases)
    func starterConfigValidatesAgainstTheDemoRegistry(preset: StarterPreset) throws {
        let cli = try harnessWithDemoRegistry()
        let printed = try cli.run(["init", "--preset", preset.rawValue])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stderr.isEmpty)
        let variables = Self.referencedVariables(printed.stdout)
        #expect(variables == Set(preset.variables.map(\.name)))
        let header = printed.stdout.split(separator: "\n").prefix { $0.hasPrefix("#") }.joined(separator: "\n")
        for name in variables { #expect(header.contains("#   \(name) "), "\(name) is not named in the header") }
        let environment = Dictionary(uniqueKeysWithValues: variables.map { ($0, Self.secret) })

        // Printed to standard output and saved here, as `init … > siem.yaml` does.
        try printed.stdout.write(toFile: cli.path("siem.yaml"), atomically: true, encoding: .utf8)
        let here = try cli.run(["validate", "--config", "siem.yaml"], environment: environment)
        #expect(here.status == 0, "\(here.stderr)")
        #expect(here.stdout.hasPrefix("siem.yaml: OK: 1 pipeline(s)"), "\(here.stdout)")

        // Written into another directory: its paths are rebased on it, so it still validates.
        try FileManager.default.createDirectory(atPath: cli.path("etc"), withIntermediateDirectories: true)
        let written = try cli.run(["init", "--preset", preset.rawValue, "--output", "etc/siem.yaml"])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.isEmpty)
        #expect(written.stderr.contains("wrote a \(preset.rawValue) starter config to etc/siem.yaml"))
        let text = try String(contentsOfFile: cli.path("etc/siem.yaml"), encoding: .utf8)
        #expect(text.contains("path: ../demo/registry.sqlite"))
        let there = try cli.run(["validate", "--config", "etc/siem.yaml"], environment: environment)
        #expect(there.status == 0, "\(there.stderr)")

        // Without its variables it does not validate, and the error names each one.
        if !variables.isEmpty {
            let unset = try cli.run(["validate", "--config", "siem.yaml"])
            #expect(unset.status == 78)
            let unsetLines = unset.stderr.split(separator: "\n").filter { $0.contains("is not set in the environment") }
            #expect(unsetLines.count == variables.count, "\(unset.stderr)")
        }
    }

    @Test func fileStarterConfigRunsAndWritesEveryEvent() throws {
        let cli = try harnessWithDemoRegistry(rows: 120)
        let written = try cli.run(["init", "--preset", "file", "--output", "siem.yaml"])
        #expect(written.status == 0, "\(written.stderr)")
        let run = try cli.run(["run", "--config", "siem.yaml", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: cli.path("demo/events.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 120)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["@timestamp"] is String)
        #expect((first["event"] as? [String: Any])?["id"] != nil || first["oversight"] != nil)
        #expect(FileManager.default.fileExists(atPath: cli.path("demo/file-state.sqlite")))
        // The checkpoint moved: a second run sends nothing more.
        let again = try cli.run(["run", "--config", "siem.yaml", "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        let after = try String(contentsOfFile: cli.path("demo/events.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(after.count == 120)
    }

    /// As docs/OPERATIONS.md writes one for a host: absolute paths stay absolute, and the id may
    /// be a reference, written as given.
    @Test func absolutePathsAndAReferencedRegistryIDAreWrittenAsGiven() throws {
        let cli = try harnessWithDemoRegistry()
        try FileManager.default.createDirectory(atPath: cli.path("state"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: cli.path("etc"), withIntermediateDirectories: true)
        try "registry-from-file\n".write(toFile: cli.path("etc/registry-id"), atomically: true, encoding: .utf8)
        let written = try cli.run([
            "init", "--preset", "file", "--registry", cli.path("demo/registry.sqlite"),
            "--registry-id", "${file:\(cli.path("etc/registry-id"))}", "--state-dir", cli.path("state"),
            "--output", "etc/siem.yaml",
        ])
        #expect(written.status == 0, "\(written.stderr)")
        let text = try String(contentsOfFile: cli.path("etc/siem.yaml"), encoding: .utf8)
        #expect(text.contains("  path: \(cli.path("demo/registry.sqlite"))   #"))
        #expect(text.contains("  registry_id: ${file:\(cli.path("etc/registry-id"))}\n"))
        #expect(text.contains("  path: \(cli.path("state"))/file-state.sqlite\n"))
        let run = try cli.run(["run", "--config", "etc/siem.yaml", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let first = try String(contentsOfFile: cli.path("state/events.jsonl"), encoding: .utf8).prefix { $0 != "\n" }
        #expect(first.contains("registry-from-file"))
    }

    @Test func outputRefusesAFileThatHoldsSomethingUnlessForced() throws {
        let cli = try CLIHarness()
        try "# my edits\n".write(toFile: cli.path("siem.yaml"), atomically: true, encoding: .utf8)
        let refused = try cli.run(["init", "--preset", "splunk", "--output", "siem.yaml"])
        #expect(refused.status == 73)
        #expect(refused.stderr == "error: already holds 11 bytes; --force replaces it (siem.yaml)\n")
        #expect(try String(contentsOfFile: cli.path("siem.yaml"), encoding: .utf8) == "# my edits\n")

        let forced = try cli.run(["init", "--preset", "splunk", "--output", "siem.yaml", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: cli.path("siem.yaml"), encoding: .utf8).contains("preset: splunk"))

        // An empty file (`touch`ed first) is written without --force.
        _ = FileManager.default.createFile(atPath: cli.path("empty.yaml"), contents: Data())
        let empty = try cli.run(["init", "--preset", "file", "--output", "empty.yaml"])
        #expect(empty.status == 0, "\(empty.stderr)")

        let noDirectory = try cli.run(["init", "--preset", "file", "--output", "missing/siem.yaml"])
        #expect(noDirectory.status == 73)
        #expect(noDirectory.stderr.split(separator: "\n").count == 1)

        let forceWithoutFile = try cli.run(["init", "--preset", "file", "--force"])
        #expect(forceWithoutFile.status == 64)
        #expect(forceWithoutFile.stderr == "error: --force applies to --output FILE only\n")
    }

    @Test func unknownPresetIsOneLineWithDidYouMean() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["init", "--preset", "splnuk"])
        #expect(result.status == 64)
        #expect(result.stderr == "error: unknown preset 'splnuk' (did you mean 'splunk'?)\n")
        #expect(result.stdout.isEmpty)
        let far = try cli.run(["init", "--preset", "qradar"])
        #expect(far.status == 64)
        #expect(far.stderr.split(separator: "\n").count == 1)
        #expect(far.stderr.contains("expected one of: chronicle, elastic, file, sentinel, splunk, syslog"))
    }

    @Test func helpListsThePresetsAndExitCodes() throws {
        let help = try CLIHarness().run(["init", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("EXIT CODES:"))
        for code in ["0 ", "64", "73"] { #expect(help.stdout.contains("  \(code)")) }
        for preset in StarterPreset.names { #expect(help.stdout.contains(preset)) }
        let root = try CLIHarness().run(["--help"])
        #expect(root.stdout.contains("init"))
    }
}

extension StarterPreset: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}
