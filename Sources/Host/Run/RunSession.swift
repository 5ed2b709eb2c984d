import Foundation
import Logging
import SIEMCore

/// One source's part of a `run`: its pipelines, checkpoints and dead letters, and the rounds
/// that move every pipeline from its checkpoint to the end of the source (once, or in a loop
/// with `--follow`). A config with several sources runs one session per source, side by side.
final class RunSession: @unchecked Sendable {
    let stream: AssembledStream
    let statePath: String
    let store: CheckpointStore
    let committer: CheckpointCommitter
    /// Rows that cannot become events (shared by the source's pipelines), and the default for refusals.
    let rowDeadLetter: DeadLetterFileWriter
    /// Per pipeline: where events its receiver refuses go.
    let refusalDeadLetters: [DeadLetterFileWriter]
    let metrics: RunMetrics
    /// Where this source's pipelines start among every pipeline's metrics.
    let metricsOffset: Int
    let logger: Logger
    let runner: PipelineRunner
    /// Count each round's rows per pipeline, for the live status line's totals (one `count(*)`
    /// per pipeline and round: only when the line is shown).
    var countsRows = false

    init(
        stream: AssembledStream, statePath: String, resources: RunResources, metricsOffset: Int, batchSize: Int
    ) throws {
        self.stream = stream
        self.statePath = statePath
        self.metricsOffset = metricsOffset
        logger = resources.logger
        store = try resources.store(at: statePath)
        committer = CheckpointCommitter(store: store, source: stream.source.identity)
        try stream.source.attach(state: store.state(for: stream.source.identity))
        let sharedPath = stream.deadLetterPath ?? statePath + ".dead-letter.jsonl"
        rowDeadLetter = try resources.deadLetter(at: sharedPath)
        refusalDeadLetters = try stream.pipelines.map { try resources.deadLetter(at: $0.deadLetterPath ?? sharedPath) }
        metrics = resources.metrics
        runner = PipelineRunner(batchSize: batchSize)
    }

    /// Every pipeline from its checkpoint to the table's end now: nil when there was nothing new
    /// since the last round (follow mode), else what each pipeline did.
    func round(first: Bool, shouldStop: @escaping () -> Bool) async throws -> [PipelineSummary]? {
        let identity = stream.source.identity
        let startAfter = try stream.pipelines.map { try store.position(pipeline: $0.name, source: identity) }
        try stream.source.verifyUnchanged()
        let end = try stream.source.endPosition() ?? .start
        // Positions only grow: a checkpoint past the end means another or an older copy
        // of the database, whose rows would be skipped without a word.
        for (pipeline, after) in zip(stream.pipelines, startAfter) where after > end {
            throw CheckpointStore.pastTheEnd(pipeline: pipeline.name, at: after, end: end, path: statePath)
        }
        if first {
            // What the state file holds, before anything is delivered: a run that starts caught
            // up reports its checkpoint (and no lag) from the first scrape and summary.
            for (index, after) in startAfter.enumerated() where after > .start {
                metrics.checkpointed(after.id, lastEventUnix: nil, pipeline: metricsOffset + index)
            }
        }
        guard first || end > (startAfter.min() ?? .start) else { return nil }
        if countsRows {
            for (index, after) in startAfter.enumerated() {
                let rows = try stream.source.count(SourceQuery(after: after, through: end, order: .id))
                metrics.expect(rows: rows ?? 0, pipeline: metricsOffset + index)
            }
        }
        var plan = RunPlan(
            query: SourceQuery(after: startAfter.min() ?? .start, through: end, order: .id), startAfter: startAfter)
        plan.startSinks = first
        plan.rowDeadLetter = rowDeadLetter
        plan.refusalDeadLetters = refusalDeadLetters
        plan.metrics = metrics
        plan.metricsOffset = metricsOffset
        plan.logger = logger
        plan.shouldStop = shouldStop
        let committer = self.committer
        let pipelines = stream.pipelines
        plan.onDelivered = { index, position in
            try committer.record(pipeline: pipelines[index].name, position: position)
        }
        do {
            let summaries = try await runner.run(
                source: stream.source, mapper: stream.mapper, pipelines: stream.pipelines, plan: plan)
            try committer.flush()
            return summaries
        } catch {
            // What was delivered before the failure stays checkpointed.
            try committer.flush()
            throw error
        }
    }

    /// Rounds until the table's end (once), or until a stop signal (`follow`): a receiver that
    /// is down or busy, or a writer holding the database, is waited out from the checkpoint
    /// (1 s, doubling to 60 s) in follow mode.
    func run(follow: Bool, pollInterval: Double, signals: StopSignals) async throws -> [PipelineSummary] {
        var totals: [PipelineSummary]?
        var backoff = 1.0
        repeat {
            do {
                if let round = try await round(first: totals == nil, shouldStop: { signals.stopRequested }) {
                    totals = PipelineSummary.combine(totals, round)
                }
                backoff = 1
            } catch let error as SIEMError where follow && error.exitCode == 75 {
                logger.warning("\(stream.displayName): \(error.description); retrying in \(Int(backoff)) s")
                try await Self.sleep(backoff, unless: signals)
                backoff = min(backoff * 2, 60)
                continue
            }
            if follow { try await Self.sleep(pollInterval, unless: signals) }
        } while follow && !signals.stopRequested
        return totals ?? []
    }

    /// What the checkpoints hold, after a run was cancelled mid-batch.
    func checkpointedSummaries() throws -> [PipelineSummary] {
        try committer.flush()
        return try stream.pipelines.map { p in
            let last = try store.position(pipeline: p.name, source: stream.source.identity)
            return PipelineSummary(
                name: p.name, formatterID: p.formatterID, destination: p.sink.destination, delivered: 0,
                checkpoint: last > .start ? last : nil)
        }
    }

    /// One line per pipeline: what it exported, its checkpoint, and what it set aside.
    func report(_ summaries: [PipelineSummary]) {
        for (index, s) in summaries.enumerated() {
            var checkpoint = s.checkpoint.map { "checkpoint \($0)" } ?? "no checkpoint yet"
            if s.deadLettered > 0 {
                let path = index < refusalDeadLetters.count ? refusalDeadLetters[index].path : rowDeadLetter.path
                checkpoint += "; \(s.deadLettered) row(s) dead-lettered to \(path)"
                if !s.refusedIDs.isEmpty {
                    let shown = s.refusedIDs.prefix(20).map(String.init).joined(separator: ",")
                    checkpoint += " (refused by the receiver: \(shown)\(s.refusedIDs.count > 20 ? ",…" : ""))"
                }
            }
            logger.info(
                "pipeline \(s.name): exported \(s.delivered) event(s) as \(s.formatterID) to \(s.destination) (\(checkpoint))"
            )
        }
    }

    /// Waits `seconds`, returning early once a stop is asked for.
    static func sleep(_ seconds: Double, unless signals: StopSignals) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        while !signals.stopRequested && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
