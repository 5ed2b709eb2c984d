/// Formatted records ready to deliver, framed as the pipeline's sink wants them: each record
/// (with its framing prefix, for `_bulk`) followed by its separator in `bytes`.
public struct EncodedBatch: Sendable {
    public var bytes: [UInt8]
    /// Offset just past each record's separator.
    public var recordEnds: [Int]
    /// The source row id of each record, in order.
    public var eventIDs: [Int64]
    public var framing: Framing
    /// Who produced the events (the registry id), for receivers that derive ids from it.
    public var origin: String
    /// The formatter's schema version (the OTLP scope version).
    public var schema: String
    /// The OTLP request's resource attributes, in order; empty values are left out.
    public var resource: [(key: String, value: String)]

    public init(
        bytes: [UInt8] = [], recordEnds: [Int] = [], eventIDs: [Int64] = [], framing: Framing = .ndjson,
        origin: String = "", schema: String = "", resource: [(key: String, value: String)] = []
    ) {
        self.bytes = bytes
        self.recordEnds = recordEnds
        self.eventIDs = eventIDs
        self.framing = framing
        self.origin = origin
        self.schema = schema
        self.resource = resource
    }

    public var count: Int { recordEnds.count }
    public var isEmpty: Bool { recordEnds.isEmpty }

    /// Record `i` as framed, without its separator (for `_bulk`: the action line, a newline and
    /// the document).
    public func record(_ i: Int) -> ArraySlice<UInt8> {
        let start = i == 0 ? 0 : recordEnds[i - 1]
        return bytes[start..<(recordEnds[i] - 1)]
    }

    /// What the formatter wrote for record `i`: the record without any framing prefix. What a
    /// dead-letter file keeps.
    public func document(_ i: Int) -> ArraySlice<UInt8> {
        let framed = record(i)
        guard case .elasticsearchBulk = framing, let newline = framed.firstIndex(of: 0x0A) else { return framed }
        return framed[(newline + 1)...]
    }

    /// Bytes of records `range` including their separators.
    public func byteCount(_ range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        let start = range.lowerBound == 0 ? 0 : recordEnds[range.lowerBound - 1]
        return recordEnds[range.upperBound - 1] - start
    }
}

/// What a receiver made of a batch: every record accepted or refused for good.
public struct Delivery: Sendable, Equatable {
    /// Records the receiver took.
    public var accepted: Int
    /// Records the receiver refused for good (invalid, too large, a mapping error), by index in
    /// the batch, with its reason: dead-lettered by the runner, never counted as delivered.
    public var refused: [Refusal]

    public init(accepted: Int, refused: [Refusal] = []) {
        self.accepted = accepted
        self.refused = refused
    }

    /// Records the checkpoint may pass.
    public var settled: Int { accepted + refused.count }
}

/// One record a receiver will never take, and why (in the receiver's words).
public struct Refusal: Sendable, Equatable {
    public var index: Int
    public var reason: String
    public init(index: Int, reason: String) {
        self.index = index
        self.reason = reason
    }
}

/// A sink that settled the first `delivery.settled` records of a batch before failing: the
/// runner checkpoints those, then stops with `error`.
public struct PartialDelivery: Error, Sendable {
    public var delivery: Delivery
    public var error: SIEMError
    public init(_ delivery: Delivery, error: SIEMError) {
        self.delivery = delivery
        self.error = error
    }
}
