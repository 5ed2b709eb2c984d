import Logging
import SIEMCore

/// What one pipeline did in a run.
public struct PipelineSummary: Sendable, Equatable {
    public var name: String
    public var formatterID: String
    public var destination: String
    public var delivered: Int
    /// Rows this pipeline passed that went to the dead-letter file instead: rows that cannot
    /// become events, and events its receiver refused for good.
    public var deadLettered = 0
    /// Of `deadLettered`, the events the receiver refused, by id.
    public var refusedIDs: [Int64] = []
    /// The last source position this pipeline has delivered (its checkpoint), nil if none ever.
    public var checkpoint: SourcePosition?
}

extension PipelineSummary {
    /// Totals over successive rounds of a follow-mode run.
    static func combine(_ totals: [PipelineSummary]?, _ round: [PipelineSummary]) -> [PipelineSummary] {
        guard var totals else { return round }
        for (index, summary) in round.enumerated() {
            totals[index].delivered += summary.delivered
            totals[index].deadLettered += summary.deadLettered
            totals[index].refusedIDs += summary.refusedIDs
            totals[index].checkpoint = summary.checkpoint ?? totals[index].checkpoint
        }
        return totals
    }
}

/// One round of a run: which rows, from where each pipeline resumes, and where what cannot be
/// delivered goes.
public struct RunPlan {
    public var query: SourceQuery
    /// Pipeline i's checkpoint.
    public var startAfter: [SourcePosition]
    /// Stop after this many events.
    public var limit: Int?
    /// Call each sink's `start()` first (the first round of a run).
    public var startSinks = true
    /// Where rows that cannot become events go; without one, the run stops at such a row.
    var rowDeadLetter: (any DeadLetterDestination)?
    /// Per pipeline: where events its receiver refuses go. Without one (or with
    /// `on_refused: stop`), the pipeline stops at such an event.
    var refusalDeadLetters: [(any DeadLetterDestination)?] = []
    var metrics: RunMetrics?
    /// Where these pipelines start among the metrics' pipelines (a config with several sources).
    var metricsOffset = 0
    var logger: Logger?
    /// Told `(pipeline, position)` once a pipeline's sink has settled everything up to there.
    var onDelivered: (_ pipeline: Int, _ position: SourcePosition) throws -> Void = { _, _ in }
    var shouldStop: () -> Bool = { false }

    public init(query: SourceQuery, startAfter: [SourcePosition], limit: Int? = nil) {
        self.query = query
        self.startAfter = startAfter
        self.limit = limit
    }
}

/// Moves rows from the source through mapper, formatter and sink, batch by batch.
///
/// The source is read once and each batch is mapped once (on a thread of its own), then
/// formatted and delivered by every pipeline's lane. A lane skips rows at or below its own
/// checkpoint, and the checkpoint store is told only after its sink has settled a batch:
/// at-least-once delivery.
public struct PipelineRunner {
    public var batchSize: Int

    public init(batchSize: Int) { self.batchSize = batchSize }

    /// Runs `pipelines` as `plan` says. Throws on the first failure, after settling what came
    /// before it. Checkpoints are a watermark on the position, so they only exist in `id` order; a
    /// timestamp-ordered read (the one-shot `export`) delivers every row it reads and reports none.
    func run(
        source: any EventSource, mapper: any EventMapper, pipelines: [AssembledPipeline], plan: RunPlan
    ) async throws -> [PipelineSummary] {
        precondition(plan.startAfter.count == pipelines.count)
        let watermarked = plan.query.order == .id
        precondition(watermarked || plan.startAfter.allSatisfy { $0 == .start }, "checkpoints need position order")
        let lanes = pipelines.indices.map { index in
            PipelineLane(
                index: index, pipeline: pipelines[index], startAfter: plan.startAfter[index],
                watermarked: watermarked, batchSize: batchSize,
                refusals: index < plan.refusalDeadLetters.count ? plan.refusalDeadLetters[index] : nil, plan: plan)
        }
        if plan.startSinks { for pipeline in pipelines { try await pipeline.sink.start() } }
        let producer = MappedBatchProducer(
            reader: try source.open(plan.query, columns: mapper.columns), mapper: mapper, batchSize: batchSize,
            limit: plan.limit,
            deadLetter: plan.rowDeadLetter)
        if let end = plan.query.through {
            plan.metrics?.sourceEnd(end.id, pipelines: plan.metricsOffset..<(plan.metricsOffset + pipelines.count))
        }
        defer { producer.finish() }

        do {
            while !plan.shouldStop() {
                switch await producer.next() {
                case .finished:
                    for lane in lanes { try await lane.settleAll() }
                    return lanes.map(\.summary)
                case .failed(let error):
                    for lane in lanes { try await lane.settleAll() }
                    throw error
                case .batch(let batch):
                    plan.metrics?.read(rows: batch.events.count + batch.deadLettered.count)
                    if !batch.deadLettered.isEmpty {
                        plan.logger?.warning(
                            "\(source.identity): \(batch.deadLettered.count) row(s) that cannot become events went to the dead-letter file",
                            metadata: ["row_ids": "\(batch.deadLettered.map { String($0.id) }.joined(separator: ","))"])
                    }
                    for lane in lanes { try await lane.take(batch) }
                    // Everything before a bad row is still delivered and checkpointed; the run then
                    // stops at that row, so nothing is skipped past it.
                    if let failure = batch.failure {
                        for lane in lanes { try await lane.settleAll() }
                        throw failure
                    }
                }
            }
            for lane in lanes { try await lane.settleAll() }
        } catch {
            for lane in lanes { lane.abandon() }
            throw error
        }
        return lanes.map(\.summary)
    }

    /// `run` with only a checkpoint callback: what tests and simple callers need.
    func run(
        source: any EventSource, mapper: any EventMapper, pipelines: [AssembledPipeline], query: SourceQuery,
        startAfter: [SourcePosition], limit: Int? = nil,
        onDelivered: @escaping (_ pipeline: Int, _ position: SourcePosition) throws -> Void = { _, _ in }
    ) async throws -> [PipelineSummary] {
        var plan = RunPlan(query: query, startAfter: startAfter, limit: limit)
        plan.onDelivered = onDelivered
        return try await run(source: source, mapper: mapper, pipelines: pipelines, plan: plan)
    }
}
