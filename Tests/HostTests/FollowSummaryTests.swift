import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// `run --follow --summary-interval S`: one line per interval saying what the run did since the
/// last one, so a long-running exporter's log shows it is alive.
@Suite(.serialized) struct FollowSummaryTests {
    @Test func theLineCountsWhatHappenedSinceTheLastOne() {
        let metrics = RunMetrics(pipelineNames: ["a", "b"])
        let start = Date()
        let summary = FollowSummary(
            metrics: metrics, logger: LoggingOptions.standardErrorLogger(), every: 3_600, now: start)
        defer { summary.stop() }
        metrics.sourceEnd(120, pipelines: 0..<2)
        metrics.delivered(100, seconds: 0.1, pipeline: 0)
        metrics.delivered(100, seconds: 0.1, pipeline: 1)
        metrics.checkpointed(100, lastEventUnix: nil, pipeline: 0)
        metrics.checkpointed(120, lastEventUnix: nil, pipeline: 1)
        metrics.retried(pipeline: 0)
        #expect(
            summary.line(now: start.addingTimeInterval(2))
                == "follow: 200 event(s) delivered in the last 2.00 s (100 events/s), 0 dead-lettered, 1 retries, 20 row(s) behind"
        )
        metrics.deadLettered(1, pipeline: 0)
        #expect(
            summary.line(now: start.addingTimeInterval(4))
                == "follow: 0 event(s) delivered in the last 2.00 s (0.0 events/s), 1 dead-lettered, 0 retries, 20 row(s) behind"
        )
    }

    @Test func followModeLogsItAtTheIntervalAndNotWithoutFollow() throws {
        let cli = try CLIHarness()
        let db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "50"])
        let config = try CLITests.demoConfig(in: cli, db: db)
        let process = try cli.start([
            "run", "--config", config, "--follow", "--poll-interval", "0.1", "--summary-interval", "0.2",
        ])
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }
        func stderr() -> String { (try? String(contentsOfFile: cli.path("stderr.txt"), encoding: .utf8)) ?? "" }
        let deadline = Date().addingTimeInterval(30)
        while stderr().components(separatedBy: "\nfollow: ").count < 3 && Date() < deadline { usleep(50_000) }
        let lines = stderr().split(separator: "\n").filter { $0.hasPrefix("follow: ") }
        #expect(lines.count >= 2, "\(stderr())")
        #expect(lines.allSatisfy { $0.contains(" event(s) delivered in the last ") && $0.hasSuffix(" row(s) behind") })
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let once = try cli.run(["run", "--config", config, "--summary-interval", "0.2"])
        #expect(once.status == 0 && !once.stderr.contains("follow: "))

        let bad = try cli.run(["run", "--config", config, "--follow", "--summary-interval", "0.01"])
        #expect(bad.status == 64)
        #expect(bad.stderr == "error: --summary-interval must be 0 (never) or from 0.1 to 86400 seconds\n")
    }
}
