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
            // Every problem of the config at once, from a dry run that touches nothing: a wrong
            // key, a missing database and a missing checkpoint are reported together, and no
            // output is created or truncated for a run that cannot start.
            var problems = file.sources.filter { file.checkpointPath(of: $0) == nil }.map { source in
                ConfigDiagnostic(
                    file: file.path, line: source.mark?.line, column: source.mark?.column,
                    path: source.path.isEmpty ? "checkpoint" : source.path + ".checkpoint",
                    message:
                        "`run` needs `checkpoint: {path: FILE}` (at the top, or on this source) to remember what was delivered"
                )
            }
            do {
                _ = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(file)
            } catch let errors as ConfigErrors {
                problems += errors.diagnostics
            }
            if problems.contains(where: { !$0.isWarning }) {
                throw ConfigErrors(diagnostics: problems.inFileOrder)
            }
            // Locked before anything is opened: a second run must not even truncate an output.
            var locks: [String: RunLock] = [:]
            for source in file.sources {
                let path = file.checkpointPath(of: source)!
                let key = (path as NSString).standardizingPath
                if locks[key] == nil { locks[key] = try RunLock(checkpointPath: path) }
            }
            defer { withExtendedLifetime(locks) {} }
            let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry, logger: logger).assemble(file)
            for warning in assembled.warnings { logger.warning("\(warning.description)") }
            let resources = RunResources(pipelineNames: assembled.pipelines.map(\.name), logger: logger)
            var sessions: [RunSession] = []
            for stream in assembled.streams {
                sessions.append(
                    try RunSession(
                        stream: stream, statePath: stream.checkpointPath!, resources: resources,
                        metricsOffset: sessions.reduce(0) { $0 + $1.stream.pipelines.count },
                        batchSize: assembled.batchSize))
            }
            var metricsServer: MetricsServer?
            if let listen = file.metricsListen, let address = MetricsListenAddress(listen) {
                metricsServer = try MetricsServer(address: address, metrics: resources.metrics)
                logger.info("metrics: http://\(address.host):\(metricsServer!.port)/metrics")
            }
            defer { withExtendedLifetime(metricsServer) {} }
            let signals = StopSignals()
            // JSON logs are for a shipper, even on a terminal: no status line among them.
            let showStatus = !quiet && logging.format == .text && TerminalStatusLine.standardErrorIsTerminal
            for session in sessions { session.countsRows = showStatus }
            let metrics = resources.metrics
            TerminalStatusLine.shared.start(enabled: showStatus) { ProgressText.status(metrics) }
            let followSummary =
                follow && summaryInterval > 0
                ? FollowSummary(metrics: metrics, logger: logger, every: summaryInterval) : nil
            defer { followSummary?.stop() }
            let outcomes = try await Self.runSideBySide(
                sessions, follow: follow, pollInterval: pollInterval, signals: signals)
            TerminalStatusLine.shared.stop()
            followSummary?.stop()
            var summaries: [PipelineSummary] = []
            var interrupted = signals.stopRequested
            var failure: (any Error)?
            for (session, outcome) in zip(sessions, outcomes) {
                try session.committer.close()
                switch outcome {
                case .success(let done):
                    for pipeline in session.stream.pipelines { try await pipeline.sink.close() }
                    session.report(done)
                    summaries += done
                case .failure(let error) where error is CancellationError:
                    // The batch in flight was abandoned: report what the checkpoints hold.
                    interrupted = true
                    let held = try session.checkpointedSummaries()
                    session.report(held)
                    summaries += held
                case .failure(let error):
                    // Another source's failure did not stop this one; the run still fails.
                    if sessions.count > 1 { logger.error("\(session.stream.displayName): \(error)") }
                    failure = failure ?? error
                    summaries += try session.checkpointedSummaries()
                }
            }
            if failure == nil { Self.reportTotal(summaries, metrics: metrics, logger: logger) }
            if interrupted { logger.notice("stopped by signal; every checkpoint is saved") }
            if let failure { throw failure }
            if let summaryJSON {
                try RunSummaryFile.write(
                    summaries, metrics: resources.metrics, deadLetterPath: sessions[0].rowDeadLetter.path,
                    interrupted: interrupted,
                    to: PluginContext(baseDirectory: FileManager.default.currentDirectoryPath).resolve(
                        path: summaryJSON))
            }
        }
    }

    /// The run's closing line: every pipeline's events, the rows read, the time and the rate.
    static func reportTotal(_ summaries: [PipelineSummary], metrics: RunMetrics, logger: Logger) {
        let delivered = summaries.reduce(0) { $0 + $1.delivered }
        let rowsRead = metrics.snapshot().rowsRead
        let rate = ProgressText.closing(delivered, unit: "events", seconds: Date().timeIntervalSince(metrics.started))
        logger.info(
            "run: \(delivered) event(s) delivered by \(summaries.count) pipeline(s) from \(rowsRead) row(s) read \(rate)"
        )
    }

    /// Every source's session at once, each to its own end: one source that fails (its database
    /// gone, its receiver refusing every event) does not stop the others, as in Vector or Fluent
    /// Bit, where each pipeline stands alone. The second stop signal cancels them all.
    static func runSideBySide(
        _ sessions: [RunSession], follow: Bool, pollInterval: Double, signals: StopSignals
    ) async throws -> [Result<[PipelineSummary], any Error>] {
        try await withStopSignals(signals) {
            // A task per session, awaited in order, rather than a task group whose results come
            // back as (index, result) tuples: the release build of that group crashed about one
            // run in ten here (an out-of-range index in `results[index]`, Swift 6.3.1), with an
            // index only the group itself could have handed over.
            let tasks = sessions.map { session in
                Task { () -> Result<[PipelineSummary], any Error> in
                    do {
                        return .success(
                            try await session.run(follow: follow, pollInterval: pollInterval, signals: signals))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await withTaskCancellationHandler {
                var results: [Result<[PipelineSummary], any Error>] = []
                for task in tasks { results.append(await task.value) }
                return results
            } onCancel: {
                for task in tasks { task.cancel() }
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
