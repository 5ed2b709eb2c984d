import Logging
import SIEMCore

/// What one pipeline did in a run.
public struct PipelineSummary: Sendable, Equatable {
    public var name: String
    public var formatterID: String
    public var destination: String
    public var delivered: Int
    /// Rows this pipeline passed that went to the dead-letter file instead.
    public var deadLettered = 0
    /// The last source id this pipeline has delivered (its checkpoint), nil if none ever.
    public var lastID: Int64?
}

extension PipelineSummary {
    /// Totals over successive rounds of a follow-mode run.
    static func combine(_ totals: [PipelineSummary]?, _ round: [PipelineSummary]) -> [PipelineSummary] {
        guard var totals else { return round }
        for (index, summary) in round.enumerated() {
            totals[index].delivered += summary.delivered
            totals[index].deadLettered += summary.deadLettered
            totals[index].lastID = summary.lastID ?? totals[index].lastID
        }
        return totals
    }
}

/// Moves rows from the source through mapper, formatter and sink, batch by batch.
///
/// The source is read once and each batch is mapped once, then formatted and delivered by every
/// pipeline. A pipeline skips rows at or below its own checkpoint, and `onDelivered` (the
/// checkpoint store) is told only after its sink has taken the batch: at-least-once delivery.
public struct PipelineRunner {
    public var batchSize: Int

    public init(batchSize: Int) { self.batchSize = batchSize }

    /// Runs `pipelines` over `query`; `startAfter[i]` is pipeline i's checkpoint. Stops after
    /// `limit` events when given. Throws on the first failure, after delivering what came before it.
    ///
    /// Checkpoints are a watermark on `id`, so they only exist in `id` order; a timestamp-ordered
    /// read (the one-shot `export`) delivers every row it reads and reports no checkpoint.
    public func run(
        source: any EventSource, mapper: any EventMapper, pipelines: [AssembledPipeline], query: SourceQuery,
        startAfter: [Int64], limit: Int? = nil, startSinks: Bool = true, deadLetter: RowDeadLetter? = nil,
        metrics: RunMetrics? = nil, logger: Logger? = nil,
        onDelivered: (_ pipeline: Int, _ lastID: Int64) throws -> Void = { _, _ in }, shouldStop: () -> Bool = { false }
    ) async throws -> [PipelineSummary] {
        precondition(startAfter.count == pipelines.count)
        let watermarked = query.order == .id
        precondition(watermarked || startAfter.allSatisfy { $0 == 0 }, "checkpoints need id order")
        var summaries = pipelines.enumerated().map { index, p in
            PipelineSummary(
                name: p.name, formatterID: p.formatterID, destination: p.sink.destination, delivered: 0,
                lastID: startAfter[index] > 0 ? startAfter[index] : nil)
        }
        if startSinks { for pipeline in pipelines { try await pipeline.sink.start() } }
        let producer = MappedBatchProducer(
            reader: try source.open(query), mapper: mapper, batchSize: batchSize, limit: limit, deadLetter: deadLetter)
        if let end = query.throughID { metrics?.sourceEnd(end) }
        defer { producer.finish() }
        // One writer per pipeline, reused: its memory is allocated once, not per batch.
        var writers = pipelines.map { _ in RecordWriter(capacity: batchSize * 1_024) }

        // Each pipeline keeps up to its sink's `maxInFlight` batches in flight: the next batch is
        // formatted while the sink delivers earlier ones, and checkpoints are recorded as they are
        // accepted, oldest first, so a checkpoint never passes a batch still in flight.
        var inFlight: [[InFlight]] = Array(repeating: [], count: pipelines.count)
        var handedOff = startAfter

        /// Waits for the oldest batch in flight and records its checkpoint.
        func settle(_ index: Int) async throws {
            guard !inFlight[index].isEmpty else { return }
            let flight = inFlight[index].removeFirst()
            let delivery: Delivery
            do {
                let seconds: Double
                (delivery, seconds) = try await withTaskCancellationHandler {
                    try await flight.task.value
                } onCancel: {
                    flight.task.cancel()
                }
                metrics?.delivered(delivery.accepted, seconds: seconds, pipeline: index)
                logger?.debug(
                    "batch delivered",
                    metadata: [
                        "pipeline": "\(pipelines[index].name)", "events": "\(delivery.accepted)",
                        "last_id": "\(flight.end)", "seconds": "\(seconds)",
                    ])
            } catch let partial as PartialDelivery {
                // Keep what the receiver took, then stop with the sink's own error.
                summaries[index].delivered += partial.delivery.accepted
                if watermarked && partial.delivery.accepted > 0 {
                    let last = flight.batch.eventIDs[partial.delivery.accepted - 1]
                    try onDelivered(index, last)
                    summaries[index].lastID = last
                }
                throw partial.error
            }
            summaries[index].delivered += delivery.accepted
            guard delivery.accepted == flight.batch.count else {
                if watermarked && delivery.accepted > 0 {
                    let last = flight.batch.eventIDs[delivery.accepted - 1]
                    try onDelivered(index, last)
                    summaries[index].lastID = last
                }
                throw SIEMError.delivery(
                    sink: pipelines[index].name,
                    message: "receiver accepted \(delivery.accepted) of \(flight.batch.count) records", retryable: true)
            }
            try advance(index, to: flight.end, lastEventUnix: flight.lastEventUnix)
        }

        func advance(_ index: Int, to end: Int64, lastEventUnix: Int64? = nil) throws {
            guard watermarked else { return }
            try onDelivered(index, end)
            summaries[index].lastID = end
            metrics?.checkpointed(end, lastEventUnix: lastEventUnix, pipeline: index)
        }

        func settleAll() async throws {
            for index in pipelines.indices {
                while !inFlight[index].isEmpty { try await settle(index) }
            }
        }

        do {
            while !shouldStop() {
                let events: [Event]
                let failure: (any Error)?
                // Everything before a bad row is still delivered and checkpointed; the run then
                // stops at that row, so nothing is skipped past it.
                let batchEnd: Int64?
                let deadLettered: [Int64]
                switch await producer.next() {
                case .finished:
                    try await settleAll()
                    return summaries
                case .failed(let error):
                    try await settleAll()
                    throw error
                case .batch(let batch):
                    (events, batchEnd, failure, deadLettered) = (
                        batch.events, batch.end, batch.failure, batch.deadLettered
                    )
                }
                metrics?.read(rows: events.count + deadLettered.count)
                if !deadLettered.isEmpty {
                    logger?.warning(
                        "\(deadLettered.count) row(s) that cannot become events went to the dead-letter file",
                        metadata: ["row_ids": "\(deadLettered.map(String.init).joined(separator: ","))"])
                }
                for (index, pipeline) in pipelines.enumerated() {
                    guard let batchEnd, !watermarked || batchEnd > handedOff[index] else { continue }
                    let skipped = deadLettered.count { !watermarked || $0 > handedOff[index] }
                    if skipped > 0 {
                        summaries[index].deadLettered += skipped
                        metrics?.deadLettered(skipped, pipeline: index)
                    }
                    let batch = try Self.encode(
                        events, after: watermarked ? handedOff[index] : .min, with: pipeline, writer: &writers[index])
                    while inFlight[index].count >= max(1, pipeline.sink.maxInFlight) { try await settle(index) }
                    handedOff[index] = batchEnd
                    if batch.isEmpty {
                        // Nothing to send: the checkpoint may pass it once everything before is in.
                        while !inFlight[index].isEmpty { try await settle(index) }
                        try advance(index, to: batchEnd)
                    } else {
                        let sink = pipeline.sink
                        let observer = metrics?.observer(pipeline: index)
                        let task = Task {
                            let start = ContinuousClock.now
                            let delivery = try await DeliveryObservation.$observer.withValue(observer) {
                                try await sink.send(batch)
                            }
                            let elapsed = ContinuousClock.now - start
                            return (
                                delivery,
                                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                            )
                        }
                        inFlight[index].append(
                            InFlight(task: task, batch: batch, end: batchEnd, lastEventUnix: events.last?.occurredUnix))
                    }
                }
                if let failure {
                    try await settleAll()
                    throw failure
                }
            }
            try await settleAll()
        } catch {
            for flights in inFlight { for flight in flights { flight.task.cancel() } }
            throw error
        }
        return summaries
    }

    /// A batch a sink is delivering, and the checkpoint it allows once accepted.
    struct InFlight {
        /// The sink's answer and how long it took, in seconds.
        let task: Task<(Delivery, Double), any Error>
        let batch: EncodedBatch
        let end: Int64
        let lastEventUnix: Int64?
    }

    /// Formats the events after `checkpoint` for one pipeline, one record per line.
    static func encode(
        _ events: [Event], after checkpoint: Int64, with pipeline: AssembledPipeline, writer: inout RecordWriter
    ) throws -> EncodedBatch {
        writer.reset()
        var ends: [Int] = []
        var ids: [Int64] = []
        ends.reserveCapacity(events.count)
        ids.reserveCapacity(events.count)
        // Indexed rather than `for event in events`, which would copy every event first; the call
        // through `any EventFormatter` still copies it (see docs/PERFORMANCE.md).
        let framer = RecordFramer(pipeline.framing)
        for i in events.indices where events[i].eventID > checkpoint {
            framer.writePrefix(eventID: events[i].eventID, origin: events[i].registryID, into: &writer)
            do {
                if let redactor = pipeline.redactor {
                    try pipeline.formatter.encode(redactor.apply(events[i]), into: &writer)
                } else {
                    try pipeline.formatter.encode(events[i], into: &writer)
                }
            } catch {
                throw SIEMError.badRow(
                    id: events[i].eventID, message: "\(pipeline.formatterID) formatter: \(error)")
            }
            framer.endRecord(&writer)
            ends.append(writer.count)
            ids.append(events[i].eventID)
        }
        let origin = events.first?.registryID ?? ""
        return EncodedBatch(
            bytes: writer.bytes, recordEnds: ends, eventIDs: ids, framing: pipeline.framing, origin: origin,
            schema: type(of: pipeline.formatter).schema.name,
            resource: [("service.name", "oversight-registry"), ("oversight.registry_id", origin)])
    }
}
