import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The `template` formatter and `siem-export golden check`, through the binary, on a copy of
/// the sample config and its golden file.
@Suite(.serialized) struct GoldenCommandTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
        for name in ["template.yaml", "template.golden.jsonl"] {
            try FileManager.default.copyItem(
                atPath: RepositoryPaths.root.appendingPathComponent("config/\(name)").path, toPath: cli.path(name))
        }
    }

    func edit(_ change: (String) -> String) throws {
        let text = try String(contentsOfFile: cli.path("template.yaml"), encoding: .utf8)
        try change(text).write(toFile: cli.path("template.yaml"), atomically: false, encoding: .utf8)
    }

    @Test func theSampleMatchesItsGoldenFileAndAChangeWithoutANewVersionFails() throws {
        let ok = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("pipeline acme: \(cli.path("template.golden.jsonl")) matches (acme-1)"))

        try edit {
            $0.replacingOccurrences(of: "{const: Oversight}", with: "{const: Acme}")
                .replacingOccurrences(of: "vendor: Oversight", with: "vendor: Acme")
        }
        let changed = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(changed.status == 1, "diff's code for a difference; 65 is export's")
        #expect(changed.stderr.contains("output differs at line 2 (5 of 5 record(s))"))
        #expect(changed.stderr.contains("bump `version` and re-record with --update"))
        #expect(changed.stderr.contains("  record 1 (line 2):\n    ~ vendor: \"Oversight\" → \"Acme\"\n"))

        try edit { $0.replacingOccurrences(of: "version: acme-1", with: "version: acme-2") }
        let bumped = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(bumped.stderr.contains("it holds version acme-1, not version acme-2: review the output and record it"))
        #expect(try cli.run(["golden", "check", "--config", cli.path("template.yaml"), "--update"]).status == 0)
        #expect(try cli.run(["golden", "check", "--config", cli.path("template.yaml")]).status == 0)
        let golden = try String(contentsOfFile: cli.path("template.golden.jsonl"), encoding: .utf8)
        #expect(golden.hasPrefix("# template acme-2\n") && golden.contains(#""vendor":"Acme""#))
    }

    @Test func aTemplateRunsEndToEndOmittingWhatTheEventLacks() throws {
        let db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "30"])
        // The sample's own test environment (its header) points it at this registry and folder.
        let environment = ["OVERSIGHT_REGISTRY": db, "OVERSIGHT_REGISTRY_ID": "reg", "STATE_DIRECTORY": cli.path("")]
        let run = try cli.run(["run", "--config", cli.path("template.yaml")], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: cli.path("acme.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 30)
        for (index, line) in lines.enumerated() {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record["id"] as? String == "\(index + 1)")
            #expect(record["vendor"] as? String == "Oversight")
            #expect(!line.contains("null"), "empty fields are left out")
        }
    }

    @Test func exportTakesATemplateFromAConfig() throws {
        let db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "5"])
        let export = try cli.run([
            "export", "--db", db, "--format", "template", "--template-config", cli.path("template.yaml"),
            "--registry-id", "r", "--order", "id",
        ])
        #expect(export.status == 0, "\(export.stderr)")
        let ids = export.stdout.split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
        }
        #expect(ids == ["1", "2", "3", "4", "5"])
        let missing = try cli.run(["export", "--db", db, "--format", "template", "--registry-id", "r"])
        #expect(missing.status == 64 && missing.stderr.contains("--format template needs --template-config FILE"))
    }

    @Test(arguments: [
        ("- what: actoin", "unknown event field 'actoin'"),
        ("- what: {upper: kind}", "unknown function 'upper'"),
        ("- what: {rfc3339: kind}", "rfc3339 does not apply to 'kind'"),
    ])
    func aWrongTemplateIsAConfigErrorNamingIt(line: String, message: String) throws {
        try edit { $0.replacingOccurrences(of: "- what: action", with: line) }
        let result = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.contains("pipelines[0].formatter.fields"))
    }
}
