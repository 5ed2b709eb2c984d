import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// The live status line, through a pseudo-terminal the test opens: drawn (`\r…CSI K`) and
/// cleared before the closing line on a terminal, absent with `--quiet` and without one.
@Suite(.serialized) struct StatusLineTests {
    let cli: CLIHarness
    let db: String
    static let clear = "\r\u{1B}[K"

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "300"])
    }

    func onTerminal(_ arguments: [String]) throws -> PseudoTerminal.Result {
        try PseudoTerminal.run(CLIHarness.binary, arguments, directory: cli.directory)
    }

    /// The frames drawn (the text between a `\r` and its `CSI K`), and what follows the last clear.
    func frames(_ terminal: String) -> (frames: [String], after: String) {
        let parts = terminal.components(separatedBy: "\r")
        let frames = parts.compactMap { part -> String? in
            guard let end = part.range(of: "\u{1B}[K"), end.lowerBound != part.startIndex else { return nil }
            return String(part[..<end.lowerBound])
        }
        let after = terminal.components(separatedBy: Self.clear).last ?? ""
        return (frames, after)
    }

    @Test func exportDrawsRowsOfTotalRateBytesAndTimeThenClearsItBeforeItsClosingLine() throws {
        let result = try onTerminal([
            "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", cli.path("out.jsonl"),
        ])
        #expect(result.status == 0, "\(result.terminal)")
        let (drawn, after) = frames(result.terminal)
        let first = try #require(drawn.first, "no status line in \(result.terminal.debugDescription)")
        #expect(first.hasPrefix("0/300 rows (0%) · "), "\(first)")
        #expect(first.contains(" events/s · ") && first.contains(" MB · 0:0"), "\(first)")
        #expect(
            result.terminal.contains(Self.clear + "exported 300 event(s) as ecs in "), "cleared, then the closing line")
        #expect(after.hasPrefix("exported 300 event(s) as ecs in ") && after.contains(" events/s)"))
        #expect(!after.contains("\u{1B}"), "nothing is drawn after the clear: \(after.debugDescription)")
    }

    @Test func runShowsEachPipelineAndClearsBeforeItsSummary() throws {
        let config = try CLITests.demoConfig(in: cli, db: db)
        let result = try onTerminal(["run", "--config", config])
        #expect(result.status == 0, "\(result.terminal)")
        let (drawn, after) = frames(result.terminal)
        #expect(drawn.contains { $0.hasPrefix("splunk ") && $0.contains(" · elastic ") && $0.contains(" · sentinel ") })
        #expect(after.contains("pipeline splunk: exported 300 event(s)"))
        #expect(after.contains("run: 900 event(s) delivered by 3 pipeline(s) from 300 row(s) read in "))
        // Log lines are written above the status line, never into it.
        for line in after.split(separator: "\n") { #expect(!line.contains("·"), "\(line)") }
    }

    @Test func demoRegistryShowsRowsWritten() throws {
        let result = try onTerminal(["demo-registry", cli.path("more.sqlite"), "--rows", "2500"])
        #expect(result.status == 0, "\(result.terminal)")
        #expect(frames(result.terminal).frames.first?.hasPrefix("writing: 0/2,500 rows (0%) · ") == true)
        #expect(frames(result.terminal).after.hasPrefix("wrote 2500 demo event(s) to "))
    }

    @Test func quietOrNotATerminalDrawsNothing() throws {
        let quiet = try onTerminal([
            "export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", cli.path("q.jsonl"), "--quiet",
        ])
        #expect(quiet.status == 0)
        #expect(!quiet.terminal.contains("\u{1B}") && quiet.terminal.hasPrefix("exported 300 event(s)"))
        // The harness gives the binary a file, not a terminal, for standard error.
        for arguments in [
            ["export", "--db", db, "--format", "ecs", "--registry-id", "r", "--output", cli.path("p.jsonl")],
            ["run", "--config", try CLITests.demoConfig(in: cli, db: db)],
            ["demo-registry", cli.path("piped.sqlite"), "--rows", "1500"],
        ] {
            let piped = try cli.run(arguments)
            #expect(piped.status == 0, "\(piped.stderr)")
            #expect(!piped.stderr.contains("\u{1B}") && !piped.stderr.contains("\r") && !piped.stderr.contains(" · "))
        }
    }

    @Test func theLineIsCutToTheTerminalAndReadsCountsAndTimes() {
        #expect(TerminalStatusLine.fitted(String(repeating: "x", count: 100), columns: 40).count == 39)
        #expect(TerminalStatusLine.fitted("short", columns: 40) == "short")
        #expect(ProgressText.count(1_234_567) == "1,234,567" && ProgressText.count(999) == "999")
        #expect(ProgressText.clock(3_723) == "1:02:03" && ProgressText.clock(65.9) == "1:05")
        let metrics = RunMetrics(pipelineNames: ["a", "b"])
        metrics.expect(rows: 1_000, pipeline: 0)
        metrics.expect(rows: 2_000, pipeline: 1)
        metrics.delivered(500, bytes: 2_500_000, seconds: 0.1, pipeline: 0)
        metrics.delivered(1_000, bytes: 2_500_000, seconds: 0.1, pipeline: 1)
        let text = ProgressText.status(metrics, now: metrics.started.addingTimeInterval(10))
        // a: 500 of 1000 in 10 s (5 left at 50/s: 10 s); b: 1000 of 2000 (10 s): ETA 0:10.
        #expect(text == "a 500/1,000 · b 1,000/2,000 · 150 events/s · 5.0 MB · 0:10 · ETA 0:10", "\(text)")
    }
}
