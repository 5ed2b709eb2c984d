import ArgumentParser
import Foundation
import Logging
import SIEMCore

/// `siem-export run --config FILE`: every pipeline from its checkpoint to the end of the table.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Run every pipeline of a config from its checkpoint to the end of the events table, then exit (or, with --follow, keep going).",
        discussion: ExitCodes.help([
            ExitCodes.done, ExitCodes.usage, ExitCodes.noInput, ExitCodes.refused, ExitCodes.cannotCreate,
            ExitCodes.stateFile, ExitCodes.tryAgain, ExitCodes.config,
        ]))

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    @Flag(
        name: .long,
        help: "Keep running: poll for new rows, deliver them, ride out receiver outages; stop on SIGINT/SIGTERM.")
    var follow = false

    @Option(
        name: .customLong("poll-interval"), parsing: .unconditional,
        help: "With --follow: seconds between polls when there is nothing new.")
    var pollInterval: Double = 1

    @Option(
        name: .customLong("summary-interval"), parsing: .unconditional,
        help:
            "With --follow: log a one-line summary (delivered, rate, dead-lettered, retries, lag) every S seconds; 0: never."
    )
    var summaryInterval: Double = 300

    @Flag(name: .long, help: "No live status line on standard error (there is none when it is not a terminal).")
    var quiet = false

    @Option(
        name: .customLong("summary-json"),
        help: "Write a JSON summary of the run (per pipeline: delivered, dead-lettered, retries, checkpoint) to FILE.")
    var summaryJSON: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if !(0.01...3_600).contains(pollInterval) {
            throw ValidationError("--poll-interval must be from 0.01 to 3600 seconds")
        }
        if summaryInterval != 0 && !(0.1...86_400).contains(summaryInterval) {
            throw ValidationError("--summary-interval must be 0 (never) or from 0.1 to 86400 seconds")
        }
    }

    func run() async throws {
        let logger = logging.makeLogger()
        try await CLIErrorReporting.run(logger: logger) {
            let file = try ConfigLoader().load(path: config)
            guard let checkpointPath = file.checkpointPath else {
                throw ConfigErrors(diagnostics: [
                    ConfigDiagnostic(
                        file: file.path, path: "checkpoint",
                        message: "`run` needs `checkpoint: {path: FILE}` to remember what was delivered")
                ])
            }
            let statePath = PluginContext(baseDirectory: file.baseDirectory).resolve(path: checkpointPath)
            // Locked before anything is opened: a second run must not even truncate an output.
            let lock = try RunLock(checkpointPath: statePath)
            defer { withExtendedLifetime(lock) {} }
            let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry, logger: logger).assemble(file)
            for warning in assembled.warnings { logger.warning("\(warning.description)") }
            let session = try RunSession(assembled: assembled, file: file, statePath: statePath, logger: logger)
            var metricsServer: MetricsServer?
            if let listen = file.metricsListen, let address = MetricsListenAddress(listen) {
                metricsServer = try MetricsServer(address: address, metrics: session.metrics)
                logger.info("metrics: http://\(address.host):\(metricsServer!.port)/metrics")
            }
            defer { withExtendedLifetime(metricsServer) {} }
            let signals = StopSignals()
            let (follow, pollInterval) = (self.follow, self.pollInterval)
            // JSON logs are for a shipper, even on a terminal: no status line among them.
            let showStatus = !quiet && logging.format == .text && TerminalStatusLine.standardErrorIsTerminal
            session.countsRows = showStatus
            let metrics = session.metrics
            TerminalStatusLine.shared.start(enabled: showStatus) { ProgressText.status(metrics) }
            let followSummary =
                follow && summaryInterval > 0
                ? FollowSummary(metrics: metrics, logger: logger, every: summaryInterval) : nil
            defer { followSummary?.stop() }
            var summaries: [PipelineSummary]
            var interrupted = false
            do {
                summaries = try await withStopSignals(signals) {
                    try await session.run(follow: follow, pollInterval: pollInterval, signals: signals)
                }
                interrupted = signals.stopRequested
            } catch is CancellationError {
                // The batch in flight was abandoned: report what the checkpoints hold.
                interrupted = true
                summaries = try session.checkpointedSummaries()
            }
            TerminalStatusLine.shared.stop()
            followSummary?.stop()
            try session.committer.close()
            if interrupted { logger.notice("stopped by signal; every checkpoint is saved") }
            for pipeline in assembled.pipelines { try await pipeline.sink.close() }
            session.report(summaries)
            if let summaryJSON {
                try RunSummaryFile.write(
                    summaries, metrics: session.metrics, deadLetterPath: session.rowDeadLetter.path,
                    interrupted: interrupted,
                    to: PluginContext(baseDirectory: FileManager.default.currentDirectoryPath).resolve(
                        path: summaryJSON))
            }
        }
    }
}

/// Runs `body` in a task that the second stop signal cancels.
func withStopSignals<T: Sendable>(
    _ signals: StopSignals, _ body: @escaping @Sendable () async throws -> T
) async throws
    -> T
{
    let task = Task { try await body() }
    signals.install { task.cancel() }
    return try await task.value
}
