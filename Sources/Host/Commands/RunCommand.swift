import ArgumentParser
import Foundation
import Logging
import SIEMCore

/// `siem-export run --config FILE`: every pipeline from its checkpoint to the end of the table.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Run every pipeline of a config from its checkpoint to the end of the events table, then exit (or, with --follow, keep going)."
    )

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    @Flag(
        name: .long,
        help: "Keep running: poll for new rows, deliver them, ride out receiver outages; stop on SIGINT/SIGTERM.")
    var follow = false

    @Option(name: .customLong("poll-interval"), help: "With --follow: seconds between polls when there is nothing new.")
    var pollInterval: Double = 1

    @Option(
        name: .customLong("summary-json"),
        help: "Write a JSON summary of the run (per pipeline: delivered, dead-lettered, retries, checkpoint) to FILE.")
    var summaryJSON: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if !(0.01...3_600).contains(pollInterval) {
            throw ValidationError("--poll-interval must be from 0.01 to 3600 seconds")
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
            let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry).assemble(file)
            let store = try CheckpointStore(path: statePath)
            let identity = assembled.source.identity
            let committer = CheckpointCommitter(store: store, source: identity)
            let deadLetter = try RowDeadLetter(
                path: file.deadLetterPath.map { PluginContext(baseDirectory: file.baseDirectory).resolve(path: $0) }
                    ?? statePath + ".dead-letter.jsonl")
            let metrics = RunMetrics(pipelineNames: assembled.pipelines.map(\.name), logger: logger)
            var metricsServer: MetricsServer?
            if let listen = file.metricsListen, let address = MetricsListenAddress(listen) {
                metricsServer = try MetricsServer(address: address, metrics: metrics)
                logger.info("metrics: http://\(address.host):\(metricsServer!.port)/metrics")
            }
            defer { withExtendedLifetime(metricsServer) {} }
            let signals = StopSignals()
            let job = UncheckedSendable((assembled, store, committer, PipelineRunner(batchSize: assembled.batchSize)))
            let (follow, pollInterval) = (self.follow, self.pollInterval)
            var summaries: [PipelineSummary]
            var interrupted = false
            do {
                summaries = try await withStopSignals(signals) {
                    let (assembled, store, committer, runner) = job.value
                    var totals: [PipelineSummary]?
                    var backoff = 1.0
                    repeat {
                        do {
                            let startAfter = try assembled.pipelines.map {
                                try store.lastID(pipeline: $0.name, source: identity)
                            }
                            try assembled.source.verifyUnchanged()
                            let end = try assembled.source.highestID() ?? 0
                            // Ids only grow in a registry: a checkpoint past the end means another or an
                            // older copy of the database, whose rows would be skipped without a word.
                            for (pipeline, after) in zip(assembled.pipelines, startAfter) where after > end {
                                throw SIEMError.checkpoint(
                                    path: statePath,
                                    message:
                                        "pipeline '\(pipeline.name)' is checkpointed at id \(after) but the database's highest id is \(end): was it replaced or restored from an older copy? Use a new state file to export it from the start"
                                )
                            }
                            if totals == nil || end > (startAfter.min() ?? 0) {
                                let query = SourceQuery(afterID: startAfter.min() ?? 0, throughID: end, order: .id)
                                let round: [PipelineSummary]
                                do {
                                    round = try await runner.run(
                                        source: assembled.source, mapper: assembled.mapper,
                                        pipelines: assembled.pipelines, query: query, startAfter: startAfter,
                                        startSinks: totals == nil, deadLetter: deadLetter, metrics: metrics,
                                        logger: logger,
                                        onDelivered: { index, lastID in
                                            try committer.record(
                                                pipeline: assembled.pipelines[index].name, lastID: lastID)
                                        }, shouldStop: { signals.stopRequested })
                                } catch {
                                    // What was delivered before the failure stays checkpointed.
                                    try committer.flush()
                                    throw error
                                }
                                try committer.flush()
                                totals = PipelineSummary.combine(totals, round)
                                backoff = 1
                            }
                        } catch let error as SIEMError where follow && error.exitCode == 75 {
                            // A receiver is down or busy, or a writer holds the database: keep the
                            // checkpoint, wait, and resume from it.
                            logger.warning("\(error.description); retrying in \(Int(backoff)) s")
                            try await Self.sleep(backoff, unless: signals)
                            backoff = min(backoff * 2, 60)
                            continue
                        }
                        if follow { try await Self.sleep(pollInterval, unless: signals) }
                    } while follow && !signals.stopRequested
                    return totals ?? []
                }
                interrupted = signals.stopRequested
            } catch is CancellationError {
                // The batch in flight was abandoned: report what the checkpoints hold.
                interrupted = true
                try committer.flush()
                summaries = try assembled.pipelines.map { p in
                    let last = try store.lastID(pipeline: p.name, source: identity)
                    return PipelineSummary(
                        name: p.name, formatterID: p.formatterID, destination: p.sink.destination, delivered: 0,
                        lastID: last > 0 ? last : nil)
                }
            }
            try committer.close()
            if interrupted { logger.notice("stopped by signal; every checkpoint is saved") }
            for pipeline in assembled.pipelines { try await pipeline.sink.close() }
            for s in summaries {
                var checkpoint = s.lastID.map { "checkpoint id \($0)" } ?? "no checkpoint yet"
                if s.deadLettered > 0 { checkpoint += "; \(s.deadLettered) row(s) dead-lettered to \(deadLetter.path)" }
                logger.info(
                    "pipeline \(s.name): exported \(s.delivered) event(s) as \(s.formatterID) to \(s.destination) (\(checkpoint))"
                )
            }
            if let summaryJSON {
                try RunSummaryFile.write(
                    summaries, metrics: metrics, deadLetterPath: deadLetter.path, interrupted: interrupted,
                    to: PluginContext(baseDirectory: FileManager.default.currentDirectoryPath).resolve(
                        path: summaryJSON))
            }
        }
    }
}

extension RunCommand {
    /// Waits `seconds`, returning early once a stop is asked for.
    static func sleep(_ seconds: Double, unless signals: StopSignals) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        while !signals.stopRequested && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
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
