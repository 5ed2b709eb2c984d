import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// One error style for the command line, exit codes in every help, a closed standard output
/// that ends quietly, and an export that does not double a file.
@Suite(.serialized) struct CommandLineStyleTests {
    let cli: CLIHarness
    let db: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "300"])
    }

    @Test func argumentErrorsAreOneErrorLineWithUsageOnlyWhereItHelps() throws {
        let negative = try cli.run(["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--limit", "-1"])
        #expect(negative.status == 64)
        #expect(negative.stderr == "error: --limit must not be negative\n")

        let missing = try cli.run(["export", "--format", "ecs", "--registry-id", "r"])
        #expect(missing.status == 64)
        let lines = missing.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(missing.stderr)")
        #expect(lines.first == "error: missing expected argument '--db <db>'")
        #expect(lines.last?.hasPrefix("usage: siem-export export [<options>] --db <db>") == true)
        #expect(lines.last?.hasSuffix("(see 'siem-export export --help')") == true)

        let value = try cli.run(["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--limit", "many"])
        #expect(value.stderr == "error: the value 'many' is invalid for '--limit <limit>'\n")

        let command = try cli.run(["exprot"])
        #expect(command.status == 64)
        #expect(command.stderr == "error: unknown command 'exprot' (did you mean 'export'?)\n")

        let negativeSince = try cli.run([
            "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--since", "-86400", "--limit", "1",
        ])
        #expect(negativeSince.status == 0, "a time before 1970 is a value, not an option: \(negativeSince.stderr)")
        for result in [negative, missing, value, command] { #expect(!result.stderr.contains("Error:")) }
    }

    @Test func everyHelpListsItsExitCodes() throws {
        let root = try cli.run(["--help"]).stdout
        for code in ExitCodes.all { #expect(root.contains("  \(code.value)"), "\(code.value) in \(root)") }
        let expected: [([String], [Int32], [Int32])] = [
            (["export"], [0, 64, 65, 66, 69, 73, 75, 78], [1, 74]),
            (["run"], [0, 64, 66, 69, 73, 74, 75, 78], [1, 65]),
            (["golden", "check"], [0, 1, 64, 78], [65]),
            (["golden", "diff"], [0, 1, 64, 66], [65]),
            (["tap"], [0, 64, 66, 73, 74, 75, 78], [65, 69]),
            (["demo-registry"], [0, 64, 73], [65]),
            (["demo-data"], [0, 64, 73], [65]),
            (["config-schema"], [0], [64]),
            (["validate"], [0, 64, 66, 73, 74, 75, 78], [65]),
        ]
        for (command, present, absent) in expected {
            let help = try cli.run(command + ["--help"]).stdout
            let codes = help.components(separatedBy: "EXIT CODES:").last ?? ""
            #expect(help.contains("EXIT CODES:"), "\(command)")
            for code in present { #expect(codes.contains("\n  \(code) "), "\(command) lists \(code)") }
            for code in absent { #expect(!codes.contains("\n  \(code) "), "\(command) does not list \(code)") }
        }
    }

    /// `… | head` has read what it wanted: no `error: write failed: Broken pipe`, exit 0.
    @Test func aClosedStandardOutputEndsQuietly() throws {
        let export = try cli.run(
            ["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--batch-size", "10"],
            shellPrefix: "set -o pipefail; exec 1> >(head -c 100 > /dev/null);")
        #expect(export.status == 0, "\(export.stderr)")
        #expect(!export.stderr.contains("error"), "\(export.stderr)")

        let config = cli.path("stdout.yaml")
        try """
        version: 1
        source: {type: oversight_registry, path: \(db)}
        mapper: {type: oversight_beacon, registry_id: r}
        checkpoint: {path: \(cli.path("state.sqlite"))}
        batch_size: 10
        pipelines:
          - {name: out, formatter: {type: ecs}, sink: {type: stdout}}
        """.write(toFile: config, atomically: false, encoding: .utf8)
        let run = try cli.run(["run", "--config", config], shellPrefix: "exec 1> >(head -c 100 > /dev/null);")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("error"), "\(run.stderr)")
    }

    @Test func anExportRefusesToAddToAFileUnlessToldHow() throws {
        let out = cli.path("out.jsonl")
        let args = ["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", out, "--limit", "5"]
        #expect(try cli.run(args).status == 0)
        let refused = try cli.run(args)
        #expect(refused.status == 73)
        #expect(refused.stderr.hasPrefix("error: already holds "))
        #expect(refused.stderr.contains("--append adds to it, --force replaces it (\(out))"))
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 5, "untouched")

        #expect(try cli.run(args + ["--append"]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 10)
        #expect(try cli.run(args + ["--force"]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 5)

        let empty = cli.path("empty.jsonl")
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        #expect(try cli.run(args.dropLast(4) + ["--output", empty]).status == 0, "an empty file is written")
        let toStdout = try cli.run(["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--append"])
        #expect(toStdout.status == 64 && toStdout.stderr == "error: --append applies to a file --output only\n")
    }

    /// The one-shot export says what it is waiting for, as `run` does.
    @Test func anExportLogsEachRetryWithItsNumberAndWait() throws {
        let answered = LockedCount()
        let server = try LoopbackHTTPServer { _ in
            answered.increment() == 1 ? .json(503, "busy") : .json(200, "{}")
        }
        defer { server.stop() }
        let result = try cli.run([
            "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", server.baseURL + "/in",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("warning: retrying: attempt 1/8, next in "), "\(result.stderr)")
        #expect(result.stderr.contains(" s: HTTP 503 from \(server.baseURL)/in"), "\(result.stderr)")
        #expect(result.stderr.contains("exported 300 event(s) as ecs in "))
    }
}

/// A count several threads bump.
final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    /// The count after this call.
    func increment() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
