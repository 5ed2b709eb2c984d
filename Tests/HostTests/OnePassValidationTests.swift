import Foundation
import SIEMTestSupport
import Testing

/// `validate` and `run` report every problem of a config in one go, each at the key that names
/// it: the keys and values of every node, and what only making the plugins finds (a database
/// missing, an output directory missing, a template that no longer matches its golden file).
/// The exit code is 78 whenever the config itself is wrong; a right config naming what is not
/// there yet keeps 66 or 73, which the systemd unit restarts on.
@Suite struct OnePassValidationTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
        let made = try cli.run(["demo-registry", cli.path("registry.sqlite"), "--rows", "20", "--quiet"])
        try #require(made.status == 0, "\(made.stderr)")
        for file in ["template.yaml", "template.golden.jsonl"] {
            try FileManager.default.copyItem(
                atPath: RepositoryPaths.root.appendingPathComponent("config/\(file)").path, toPath: cli.path(file))
        }
    }

    /// A config and the lines (1-based) where each of its mistakes is.
    func writeConfig(database: String = "missing.sqlite", outputDirectory: String = "nodir") throws -> String {
        let yaml = """
            version: 1
            source:
              type: oversight_registry
              path: \(database)
            mapper: {type: oversight_beacon, registry_id: demo}
            checkpoint: {path: state.sqlite}
            pipelines:
              - name: ecs
                formatter: {type: ecs}
                sink:
                  type: file
                  path: \(outputDirectory)/ecs.jsonl
              - name: syslog
                formatter:
                  type: syslog
                  facility: authpirv
                sink: {type: file, path: syslog.log, mode: truncate}
              - name: sentinel
                formatter: {type: sentinel}
                sink:
                  type: log_analytics_data_collector
                  workspace_id: 00000000-0000-0000-0000-000000000000
                  shared_key: ${env:SIEM_TEST_UNSET_SHARED_KEY}
                  log_type: OversightBeacon
            """
        return try write(yaml, to: "siem.yaml")
    }

    /// `yaml` as the config file `name` in the test's directory; its path.
    func write(_ yaml: String, to name: String) throws -> String {
        try yaml.write(toFile: cli.path(name), atomically: false, encoding: .utf8)
        return cli.path(name)
    }

    /// `validate` of `yaml`, written as the config file `name`.
    func validate(_ yaml: String, as name: String) throws -> (result: CLIHarness.Result, config: String) {
        let config = try write(yaml, to: name)
        return (try cli.run(["validate", "--config", config]), config)
    }

    /// The `file:line:col: error: path: …` lines, by path.
    func errors(_ stderr: String, config: String) -> [String: String] {
        var found: [String: String] = [:]
        for line in stderr.split(separator: "\n") {
            #expect(line.hasPrefix(config + ":"), "every line names the config: \(line)")
            guard let range = line.range(of: ": error: ") else { continue }
            let rest = line[range.upperBound...]
            let path = String(rest.prefix { $0 != ":" })
            #expect(found[path] == nil, "one line per problem: \(line)")
            found[path] = String(line)
        }
        return found
    }

    @Test func everyProblemOfEveryKindIsReportedAtItsKeyInOneRun() throws {
        let config = try writeConfig()
        for command in ["validate", "run"] {
            let result = try cli.run([command, "--config", config])
            #expect(result.status == 78, "\(command): \(result.stderr)")
            #expect(result.stdout.isEmpty)
            let found = errors(result.stderr, config: config)
            #expect(found.count == 4, "\(command): \(result.stderr)")
            #expect(found["source.path"]?.hasPrefix(config + ":4:9: ") == true, "\(found)")
            #expect(found["source.path"]?.contains("database file not found") == true)
            #expect(found["pipelines[0].sink.path"]?.hasPrefix(config + ":12:13: ") == true, "\(found)")
            #expect(found["pipelines[0].sink.path"]?.contains("directory \(cli.path("nodir")) does not exist") == true)
            #expect(found["pipelines[1].formatter.facility"]?.contains("(did you mean 'authpriv'?)") == true)
            // The reference is named, once: no "[redacted]" for it, no second error about its value.
            #expect(
                found["pipelines[2].sink.shared_key"]?.hasSuffix(
                    "${env:SIEM_TEST_UNSET_SHARED_KEY} is not set in the environment") == true, "\(found)")
        }
        // `run` checked before opening anything: the truncating sink's file was neither made nor emptied.
        #expect(!FileManager.default.fileExists(atPath: cli.path("syslog.log")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("state.sqlite")))
    }

    @Test func aRunThatCannotStartLeavesATruncatingOutputAsItWas() throws {
        let config = try writeConfig(database: cli.path("registry.sqlite"), outputDirectory: ".")
        try "kept\n".write(toFile: cli.path("syslog.log"), atomically: false, encoding: .utf8)
        let result = try cli.run(["run", "--config", config])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(errors(result.stderr, config: config).count == 2, "\(result.stderr)")
        #expect(try String(contentsOfFile: cli.path("syslog.log"), encoding: .utf8) == "kept\n")
        #expect(!FileManager.default.fileExists(atPath: cli.path("ecs.jsonl")))
    }

    /// A right config whose database is not there yet (a registry created after boot) or whose
    /// output directory is missing: named at its key, with the code a supervisor restarts on.
    @Test func whatMayAppearByItselfKeepsItsOwnExitCode() throws {
        func minimal(database: String, output: String) throws -> String {
            let yaml = """
                version: 1
                source: {type: oversight_registry, path: \(database)}
                mapper: {type: oversight_beacon, registry_id: demo}
                checkpoint: {path: state.sqlite}
                pipelines:
                  - {name: ecs, formatter: {type: ecs}, sink: {type: file, path: \(output)}}
                """
            return try write(yaml, to: "minimal.yaml")
        }
        let noDatabase = try minimal(database: "later.sqlite", output: "ecs.jsonl")
        for command in ["validate", "run"] {
            let result = try cli.run([command, "--config", noDatabase])
            #expect(result.status == 66, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix(noDatabase + ":2:42: error: source.path: database file not found"))
        }
        let noDirectory = try minimal(database: "registry.sqlite", output: "later/ecs.jsonl")
        for command in ["validate", "run"] {
            let result = try cli.run([command, "--config", noDirectory])
            #expect(result.status == 73, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix(noDirectory + ":6:66: error: pipelines[0].sink.path: cannot create"))
        }
    }

    /// An edited template without a new version and a new recording: `validate` and `run`
    /// refuse it at its `golden:` key (and each failing test at its own entry); `tap`, which
    /// previews the edit, only warns.
    @Test func aTemplateThatDriftedFromItsGoldenFileIsAConfigError() throws {
        let environment = [
            "OVERSIGHT_REGISTRY": cli.path("registry.sqlite"), "OVERSIGHT_REGISTRY_ID": "demo",
            "STATE_DIRECTORY": cli.path(""),
        ]
        let config = cli.path("template.yaml")
        let clean = try cli.run(["validate", "--config", config], environment: environment)
        #expect(clean.status == 0, "\(clean.stderr)")

        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "        - what: action\n", with: "        - what_happened: action\n")
            .write(toFile: config, atomically: false, encoding: .utf8)
        for command in ["validate", "run"] {
            let result = try cli.run([command, "--config", config], environment: environment)
            #expect(result.status == 78, "\(command): \(result.stderr)")
            let found = errors(result.stderr, config: config)
            #expect(found["pipelines[0].formatter.golden"]?.contains("first at field what") == true, "\(found)")
            #expect(found["pipelines[0].formatter.golden"]?.contains("bump `version`") == true)
            #expect(found["pipelines[0].formatter.tests[0]"]?.contains("fails at field what") == true, "\(found)")
            #expect(found["pipelines[0].formatter.tests[1]"] != nil, "\(found)")
        }
        #expect(!FileManager.default.fileExists(atPath: cli.path("acme.jsonl")))
        let tap = try cli.run(
            ["tap", "--config", config, "--pipeline", "acme", "--limit", "1"], environment: environment)
        #expect(tap.status == 0, "\(tap.stderr)")
        #expect(tap.stdout.contains(#""what_happened":"#))
        #expect(tap.stderr.contains(": warning: pipelines[0].formatter.golden: "), "\(tap.stderr)")

        // A new version not recorded yet says so.
        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
            of: "version: acme-1", with: "version: acme-2"
        ).write(toFile: config, atomically: false, encoding: .utf8)
        let bumped = try cli.run(["validate", "--config", config], environment: environment)
        #expect(bumped.status == 78)
        #expect(bumped.stderr.contains("holds version acme-1, not version acme-2"), "\(bumped.stderr)")
    }

    @Test func syslogNamesGetADidYouMean() throws {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: registry.sqlite}
            mapper: {type: oversight_beacon, registry_id: demo}
            pipelines:
              - name: s
                formatter: {type: syslog, facility: local8, severity: notce}
                sink: {type: stdout}
            """
        let (result, config) = try validate(yaml, as: "syslog.yaml")
        #expect(result.status == 78)
        let found = errors(result.stderr, config: config)
        #expect(found["pipelines[0].formatter.facility"]?.hasSuffix("(did you mean 'local0'?)") == true, "\(found)")
        #expect(found["pipelines[0].formatter.severity"]?.hasSuffix("(did you mean 'notice'?)") == true, "\(found)")
    }

    /// Every misspelt field of a template, nested ones too, each at its own line (a list's
    /// decoding stops at its first bad element; the config layer decodes them one by one).
    @Test func everyBadTemplateFieldIsReported() throws {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: registry.sqlite}
            mapper: {type: oversight_beacon, registry_id: demo}
            pipelines:
              - name: t
                formatter:
                  type: template
                  version: x-1
                  fields:
                    - who:
                        - recipient: recipent_id
                        - from: sorce_ip
                    - when: {rfc3393: occurred}
                    - what: action
                    - kind: {lower: kindd}
                sink: {type: stdout}
            """
        let (result, config) = try validate(yaml, as: "t.yaml")
        #expect(result.status == 78)
        let found = errors(result.stderr, config: config)
        #expect(
            found.mapValues {
                $0.components(separatedBy: ": error: ")[0].split(separator: ":").suffix(2).joined(separator: ":")
            }
                == [
                    "pipelines[0].formatter.fields[0].who[0].recipient": "11:26",
                    "pipelines[0].formatter.fields[0].who[1].from": "12:21",
                    "pipelines[0].formatter.fields[1].when": "13:17",
                    "pipelines[0].formatter.fields[3].kind": "15:17",
                ], "\(result.stderr)")
        #expect(found["pipelines[0].formatter.fields[1].when"]?.hasSuffix("(did you mean 'rfc3339'?)") == true)
        #expect(found["pipelines[0].formatter.fields[3].kind"]?.contains("(did you mean 'kind'?)") == true)
    }

    /// `preset: splunk` over a `file` sink: the one error that matters, not the preset's HEC
    /// options reported as unknown keys of the file sink.
    @Test func aPresetOverAnotherSinkTypeIsOneError() throws {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: registry.sqlite}
            mapper: {type: oversight_beacon, registry_id: demo}
            pipelines:
              - name: h
                preset: splunk
                sink: {type: file, path: out.jsonl}
            """
        let (result, config) = try validate(yaml, as: "p.yaml")
        #expect(result.status == 78)
        #expect(
            result.stderr
                == "\(config):7:18: error: pipelines[0].sink.type: preset 'splunk' uses splunk_hec; remove `preset:` to use file\n"
        )
    }

    /// `validate` reads the state file as `run` does first, and refuses what `run` would: a
    /// checkpoint past the source's end (another or an older copy of the database), a state file
    /// that is not one. Nothing is created or changed.
    @Test func validateRefusesTheStateFilesRunWouldRefuse() throws {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: registry.sqlite}
            mapper: {type: oversight_beacon, registry_id: demo}
            checkpoint: {path: state.sqlite}
            pipelines:
              - {name: ecs, formatter: {type: ecs}, sink: {type: file, path: ecs.jsonl}}
            """
        let config = try write(yaml, to: "s.yaml")
        #expect(try cli.run(["run", "--config", config]).status == 0)
        #expect(try cli.run(["validate", "--config", config]).status == 0)

        let smaller = try cli.run(["demo-registry", cli.path("small.sqlite"), "--rows", "5", "--quiet"])
        try #require(smaller.status == 0)
        try FileManager.default.removeItem(atPath: cli.path("registry.sqlite"))
        try FileManager.default.moveItem(atPath: cli.path("small.sqlite"), toPath: cli.path("registry.sqlite"))
        let replaced = try cli.run(["validate", "--config", config])
        #expect(replaced.status == 74, "\(replaced.stderr)")
        #expect(replaced.stderr.contains("pipeline 'ecs' is checkpointed at id 20 but the source ends at id 5"))
        #expect(try cli.run(["run", "--config", config]).status == 74)

        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: cli.path("state.sqlite")))
        let corrupt = try cli.run(["validate", "--config", config])
        #expect(corrupt.status == 74, "\(corrupt.stderr)")
        #expect(corrupt.stderr.contains("state file"), "\(corrupt.stderr)")
        #expect(corrupt.stderr.split(separator: "\n").count == 1, "\(corrupt.stderr)")
        #expect(
            try Data(repeating: 0x41, count: 4096) == Data(contentsOf: URL(fileURLWithPath: cli.path("state.sqlite"))))
    }
}
