import SIEMCore

/// What one pipeline did in a run.
public struct PipelineSummary: Sendable, Equatable {
    public var name: String
    public var formatterID: String
    public var destination: String
    public var delivered: Int
    /// The last source id this pipeline has delivered (its checkpoint), nil if none ever.
    public var lastID: Int64?
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
        startAfter: [Int64], limit: Int? = nil,
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
        var checkpoints = startAfter
        for pipeline in pipelines { try await pipeline.sink.start() }
        let producer = MappedBatchProducer(
            reader: try source.open(query), mapper: mapper, batchSize: batchSize, limit: limit)
        defer { producer.finish() }
        // One writer per pipeline, reused: its memory is allocated once, not per batch.
        var writers = pipelines.map { _ in JSONWriter(capacity: batchSize * 1_024) }

        while !shouldStop() {
            let events: [Event]
            let failure: (any Error)?
            // Everything before a bad row is still delivered and checkpointed; the run then stops
            // at that row, so nothing is skipped past it.
            let batchEnd: Int64?
            switch await producer.next() {
            case .finished: return summaries
            case .failed(let error): throw error
            case .batch(let batch): (events, batchEnd, failure) = (batch.events, batch.end, batch.failure)
            }
            for (index, pipeline) in pipelines.enumerated() {
                guard let batchEnd, !watermarked || batchEnd > checkpoints[index] else { continue }
                let batch = try Self.encode(
                    events, after: watermarked ? checkpoints[index] : .min, with: pipeline, writer: &writers[index])
                if !batch.isEmpty {
                    let delivery: Delivery
                    do {
                        delivery = try await pipeline.sink.send(batch)
                    } catch let partial as PartialDelivery {
                        // Keep what the receiver took, then stop with the sink's own error.
                        summaries[index].delivered += partial.accepted
                        if watermarked && partial.accepted > 0 {
                            let last = batch.eventIDs[partial.accepted - 1]
                            try onDelivered(index, last)
                            summaries[index].lastID = last
                        }
                        throw partial.error
                    }
                    summaries[index].delivered += delivery.accepted
                    guard delivery.accepted == batch.count else {
                        if watermarked && delivery.accepted > 0 {
                            let last = batch.eventIDs[delivery.accepted - 1]
                            try onDelivered(index, last)
                            summaries[index].lastID = last
                        }
                        throw SIEMError.delivery(
                            sink: pipeline.name,
                            message: "receiver accepted \(delivery.accepted) of \(batch.count) records", retryable: true
                        )
                    }
                }
                guard watermarked else { continue }
                try onDelivered(index, batchEnd)
                checkpoints[index] = batchEnd
                summaries[index].lastID = batchEnd
            }
            if let failure { throw failure }
        }
        return summaries
    }

    /// Formats the events after `checkpoint` for one pipeline, one record per line.
    static func encode(
        _ events: [Event], after checkpoint: Int64, with pipeline: AssembledPipeline, writer: inout JSONWriter
    ) throws -> EncodedBatch {
        writer.reset()
        var ends: [Int] = []
        var ids: [Int64] = []
        ends.reserveCapacity(events.count)
        ids.reserveCapacity(events.count)
        for event in events where event.eventID > checkpoint {
            do {
                try pipeline.formatter.encode(event, into: &writer)
            } catch {
                throw SIEMError.badRow(id: event.eventID, message: "\(pipeline.formatterID) formatter: \(error)")
            }
            writer.endRecord()
            ends.append(writer.count)
            ids.append(event.eventID)
        }
        return EncodedBatch(
            bytes: writer.bytes, recordEnds: ends, eventIDs: ids, framing: pipeline.framing,
            registryID: events.first?.registryID ?? "")
    }
}
