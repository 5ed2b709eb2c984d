import Foundation
import SIEMTestSupport
import Testing

/// The README's tour, run as written right after `bash scripts/demo.sh` (which leaves a demo
/// registry and its checkpoints behind): every line succeeds and does what its comment says.
@Suite struct ReadmeTourTests {
    /// The tour's shell block, with the release build's `bin=` pointed at the tested binary.
    static func tour() throws -> String {
        let readme = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## The 30-second tour").dropFirst().first)
        let block = try #require(
            section.components(separatedBy: "```sh\n").dropFirst().first?.components(
                separatedBy: "```"
            ).first)
        let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "swift build -c release && bin=.build/release/siem-export")
        return (["bin='\(CLIHarness.binary)'"] + lines.dropFirst()).joined(separator: "\n")
    }

    static func bash(_ script: String, in cli: CLIHarness) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try ExternalTool.run(["-c", script], executable: "/bin/bash", directory: cli.directory)
        return (
            result.status, String(decoding: result.stdout, as: UTF8.self),
            String(decoding: result.stderrBytes, as: UTF8.self)
        )
    }

    @Test func theTourRunsAfterTheDemoScriptAndDoesWhatItSays() throws {
        let tour = try Self.tour()
        let cli = try CLIHarness()
        try FileManager.default.copyItem(
            atPath: RepositoryPaths.root.appendingPathComponent("config").path, toPath: cli.path("config"))
        // What scripts/demo.sh leaves: the registry, exported once by config/demo.yaml.
        let demo = """
            set -euo pipefail
            bin='\(CLIHarness.binary)'
            rm -rf demo
            "$bin" demo-registry demo/registry.sqlite --rows 2000
            mkdir -p demo/out
            "$bin" validate --config config/demo.yaml
            "$bin" run --config config/demo.yaml
            """
        let script = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("scripts/demo.sh"), encoding: .utf8)
        for line in demo.split(separator: "\n").dropFirst(2) {
            #expect(script.contains(String(line)), "scripts/demo.sh no longer runs: \(line)")
        }
        let before = try Self.bash(demo, in: cli)
        try #require(before.status == 0, "\(before.stderr)")

        let result = try Self.bash("set -euo pipefail\n" + tour, in: cli)
        #expect(result.status == 0, "\(result.stderr)")
        let filtered = try #require(
            tour.firstMatch(of: /: (\d+) of the 2000 events/)?.1, "the tour says how many events --since keeps")
        #expect(result.stderr.contains("exported \(filtered) event(s) as ecs in "), "\(result.stderr)")
        #expect(Int(filtered).map { $0 > 0 && $0 < 2000 } == true, "--since must filter something, not everything")
        #expect(result.stderr.contains("run: 6000 event(s) delivered by 3 pipeline(s)"), "exports 2000 per pipeline")
        #expect(result.stderr.contains("run: 0 event(s) delivered by 3 pipeline(s)"), "then nothing")
        #expect(result.stderr.contains("run: 2000 event(s) delivered by 1 pipeline(s)"), "the file starter config")
        #expect(result.stdout.contains("demo/splunk.yaml: OK: 1 pipeline(s)"))
        let events = try String(contentsOfFile: cli.path("demo/events.jsonl"), encoding: .utf8)
        #expect(events.split(separator: "\n").count == 2000)
    }
}
