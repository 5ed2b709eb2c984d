import Logging
import SIEMCore

/// One pipeline's part of a round: it formats each mapped batch after its own checkpoint, keeps
/// up to its sink's `maxInFlight` batches in flight (the next batch is formatted while the sink
/// delivers earlier ones), sets aside what the receiver refuses, and moves its checkpoint as
/// batches are settled, oldest first, so a checkpoint never passes a batch still in flight.
final class PipelineLane {
    let index: Int
    let pipeline: AssembledPipeline
    let watermarked: Bool
    let refusals: (any DeadLetterDestination)?
    let plan: RunPlan
    /// This pipeline among the metrics' pipelines.
    var metricsIndex: Int { plan.metricsOffset + index }
    private(set) var summary: PipelineSummary
    /// The last position handed to the sink (in flight or settled).
    private var handedOff: SourcePosition
    private var inFlight: [InFlight] = []
    /// Reused for every batch: its memory is allocated once.
    private var writer: RecordWriter

    /// A batch the sink is delivering, and the checkpoint it allows once settled.
    struct InFlight {
        /// The sink's answer and how long it took, in seconds.
        let task: Task<(Delivery, Double), any Error>
        let batch: EncodedBatch
        /// The position of each of the batch's records.
        let positions: [SourcePosition]
        let end: SourcePosition
        let lastEventUnix: Int64?
    }

    init(
        index: Int, pipeline: AssembledPipeline, startAfter: SourcePosition, watermarked: Bool, batchSize: Int,
        refusals: (any DeadLetterDestination)?, plan: RunPlan
    ) {
        self.index = index
        self.pipeline = pipeline
        self.watermarked = watermarked
        self.refusals = refusals
        self.plan = plan
        handedOff = startAfter
        writer = RecordWriter(capacity: batchSize * 1_024)
        summary = PipelineSummary(
            name: pipeline.name, formatterID: pipeline.formatterID, destination: pipeline.sink.destination,
            delivered: 0, checkpoint: startAfter > .start ? startAfter : nil)
    }

    /// Formats and hands over the part of `batch` after this pipeline's checkpoint.
    func take(_ batch: MappedBatchProducer.Batch) async throws {
        guard let batchEnd = batch.end, !watermarked || batchEnd > handedOff else { return }
        let skipped = batch.deadLettered.count { !watermarked || $0 > handedOff }
        if skipped > 0 {
            summary.deadLettered += skipped
            plan.metrics?.deadLettered(skipped, pipeline: metricsIndex)
        }
        let (encoded, positions) = try BatchEncoder.encode(
            batch.events, positions: batch.positions, after: watermarked ? handedOff : nil, with: pipeline,
            writer: &writer)
        while inFlight.count >= max(1, pipeline.sink.maxInFlight) { try await settleOldest() }
        handedOff = batchEnd
        guard !encoded.isEmpty else {
            // Nothing to send: the checkpoint may pass it once everything before is in.
            try await settleAll()
            try advance(to: batchEnd)
            return
        }
        let sink = pipeline.sink
        let observer = plan.metrics?.observer(pipeline: metricsIndex)
        let task = Task {
            let start = ContinuousClock.now
            let delivery = try await DeliveryObservation.$observer.withValue(observer) { try await sink.send(encoded) }
            let elapsed = ContinuousClock.now - start
            return (delivery, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        inFlight.append(
            InFlight(
                task: task, batch: encoded, positions: positions, end: batchEnd,
                lastEventUnix: batch.events.last?.occurredUnix))
    }

    func settleAll() async throws {
        while !inFlight.isEmpty { try await settleOldest() }
    }

    /// Cancels what is still in flight, after a failure elsewhere.
    func abandon() {
        for flight in inFlight { flight.task.cancel() }
    }

    /// Waits for the oldest batch in flight, sets aside what its receiver refused, and records
    /// its checkpoint.
    private func settleOldest() async throws {
        guard !inFlight.isEmpty else { return }
        let flight = inFlight.removeFirst()
        let delivery: Delivery
        let seconds: Double
        do {
            (delivery, seconds) = try await withTaskCancellationHandler {
                try await flight.task.value
            } onCancel: {
                flight.task.cancel()
            }
        } catch let partial as PartialDelivery {
            // Keep what the receiver settled, then stop with the sink's own error.
            try setAside(partial.delivery, of: flight)
            summary.delivered += partial.delivery.accepted
            if partial.delivery.settled > 0 { try advance(to: flight.positions[partial.delivery.settled - 1]) }
            throw partial.error
        }
        try setAside(delivery, of: flight)
        summary.delivered += delivery.accepted
        plan.metrics?.delivered(delivery.accepted, seconds: seconds, pipeline: metricsIndex)
        plan.logger?.debug(
            "batch delivered",
            metadata: [
                "pipeline": "\(pipeline.name)", "events": "\(delivery.accepted)", "last_id": "\(flight.end.id)",
                "seconds": "\(seconds)",
            ])
        guard delivery.settled == flight.batch.count else {
            if delivery.settled > 0 { try advance(to: flight.positions[delivery.settled - 1]) }
            throw SIEMError.delivery(
                sink: pipeline.name,
                message: "receiver settled \(delivery.settled) of \(flight.batch.count) records", retryable: true)
        }
        try advance(to: flight.end, lastEventUnix: flight.lastEventUnix)
    }

    /// Writes what the receiver refused to the dead-letter file (durably, before the checkpoint
    /// passes it) and counts it as dead-lettered, never as delivered. With `on_refused: stop`, or
    /// no dead-letter file, the pipeline stops before the first refused event instead.
    private func setAside(_ delivery: Delivery, of flight: InFlight) throws {
        guard let first = delivery.refused.min(by: { $0.index < $1.index }) else { return }
        let batch = flight.batch
        guard pipeline.onRefused == .deadLetter, let refusals else {
            if first.index > 0 { try advance(to: flight.positions[first.index - 1]) }
            throw SIEMError.delivery(
                sink: pipeline.name,
                message:
                    "the receiver refused event \(batch.eventIDs[first.index]) for good (\(first.reason)); on_refused: stop keeps it and every event after it",
                retryable: false)
        }
        try refusals.write(refusals: delivery.refused, of: batch, pipeline: pipeline.name)
        let ids = delivery.refused.map { batch.eventIDs[$0.index] }
        summary.deadLettered += ids.count
        summary.refusedIDs += ids
        plan.metrics?.refused(ids.count, pipeline: metricsIndex)
        plan.logger?.warning(
            "\(ids.count) event(s) the receiver refused went to the dead-letter file \(refusals.path)",
            metadata: [
                "pipeline": "\(pipeline.name)", "event_ids": "\(ids.map(String.init).joined(separator: ","))",
                "reason": "\(first.reason)",
            ])
    }

    private func advance(to end: SourcePosition, lastEventUnix: Int64? = nil) throws {
        guard watermarked else { return }
        try plan.onDelivered(index, end)
        summary.checkpoint = end
        plan.metrics?.checkpointed(end.id, lastEventUnix: lastEventUnix, pipeline: metricsIndex)
    }
}

/// Formats a pipeline's share of a mapped batch, in its framing.
enum BatchEncoder {
    /// The events whose positions are after `checkpoint` (all of them without one), redacted
    /// when the pipeline says so, each framed as the pipeline's sink takes it; and the positions
    /// of the records encoded.
    static func encode(
        _ events: [Event], positions: [SourcePosition], after checkpoint: SourcePosition?,
        with pipeline: AssembledPipeline, writer: inout RecordWriter
    ) throws -> (EncodedBatch, [SourcePosition]) {
        precondition(positions.count == events.count)
        writer.reset()
        var ends: [Int] = []
        var ids: [Int64] = []
        var encoded: [SourcePosition] = []
        ends.reserveCapacity(events.count)
        ids.reserveCapacity(events.count)
        encoded.reserveCapacity(events.count)
        let framer = RecordFramer(pipeline.framing)
        // Indexed rather than `for event in events`, which would copy every event first; the call
        // through `any EventFormatter` still copies it (see docs/PERFORMANCE.md).
        for i in events.indices {
            if let checkpoint, positions[i] <= checkpoint { continue }
            framer.writePrefix(of: events[i], into: &writer)
            do {
                if let redactor = pipeline.redactor {
                    try pipeline.formatter.encode(redactor.apply(events[i]), into: &writer)
                } else {
                    try pipeline.formatter.encode(events[i], into: &writer)
                }
            } catch {
                throw SIEMError.badRow(id: events[i].eventID, message: "\(pipeline.formatterID) formatter: \(error)")
            }
            framer.endRecord(&writer)
            ends.append(writer.count)
            ids.append(events[i].eventID)
            encoded.append(positions[i])
        }
        let batch = EncodedBatch(
            bytes: writer.bytes, recordEnds: ends, eventIDs: ids, framing: pipeline.framing,
            origin: events.first?.origin ?? "", schema: (pipeline.schema ?? type(of: pipeline.formatter).schema).name,
            resource: pipeline.framing == .otlpLogs ? resource(of: events) : [])
        return (batch, encoded)
    }

    /// The OTLP resource a batch's events come from (one source: one producer): the registry for
    /// beacon events, else the source's origin, and the tenant when every event has the same one.
    /// A source whose `tenant_column` gives rows different tenants makes batches of several: the
    /// resource then names none rather than the first row's for all (each record still carries
    /// its own `oversight.tenant.id`).
    static func resource(of events: [Event]) -> [(key: String, value: String)] {
        guard let event = events.first else { return [] }
        var attributes: [(key: String, value: String)] =
            event.category == .beacon
            ? [("service.name", "oversight-registry"), ("oversight.registry_id", event.origin)]
            : [("service.name", event.origin)]
        if let tenant = event.tenant, events.allSatisfy({ $0.tenant == tenant }) {
            attributes.append(("oversight.tenant.id", tenant.string))
        }
        return attributes
    }
}
