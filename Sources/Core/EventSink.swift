/// Formatted records ready to deliver: each record followed by one newline in `bytes`.
public struct EncodedBatch: Sendable {
    public var bytes: [UInt8]
    /// Offset just past each record's newline.
    public var recordEnds: [Int]
    /// The source row id of each record, in order.
    public var eventIDs: [Int64]
    public var framing: Framing

    public init(bytes: [UInt8] = [], recordEnds: [Int] = [], eventIDs: [Int64] = [], framing: Framing = .ndjson) {
        self.bytes = bytes
        self.recordEnds = recordEnds
        self.eventIDs = eventIDs
        self.framing = framing
    }

    public var count: Int { recordEnds.count }
    public var isEmpty: Bool { recordEnds.isEmpty }

    /// Record `i` without its newline.
    public func record(_ i: Int) -> ArraySlice<UInt8> {
        let start = i == 0 ? 0 : recordEnds[i - 1]
        return bytes[start..<(recordEnds[i] - 1)]
    }
}

/// What a receiver took: the checkpoint advances past accepted records only.
public struct Delivery: Sendable, Equatable {
    public var accepted: Int
    public init(accepted: Int) { self.accepted = accepted }
}

/// Delivers encoded batches. Throws `SIEMError.delivery` (retryable or not) or `.output`.
public protocol EventSink: Plugin, Sendable {
    /// Returns only once the batch is durable at the receiver (written and fsynced, or acknowledged).
    func send(_ batch: EncodedBatch) async throws -> Delivery
    func close() async throws
    /// Where records go, for the closing summary (a path, a URL without credentials).
    var destination: String { get }
}

extension EventSink {
    public var destination: String { Self.id }
}
