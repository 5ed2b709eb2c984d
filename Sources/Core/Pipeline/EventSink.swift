/// Formatted records ready to deliver: each record followed by one newline in `bytes`.
public struct EncodedBatch: Sendable {
    public var bytes: [UInt8]
    /// Offset just past each record's newline.
    public var recordEnds: [Int]
    /// The source row id of each record, in order.
    public var eventIDs: [Int64]
    public var framing: Framing
    /// The registry the events came from, for receivers that derive document ids from it.
    public var registryID: String
    /// The formatter's schema version (the OTLP scope version).
    public var schema: String

    public init(
        bytes: [UInt8] = [], recordEnds: [Int] = [], eventIDs: [Int64] = [], framing: Framing = .ndjson,
        registryID: String = "", schema: String = ""
    ) {
        self.schema = schema
        self.bytes = bytes
        self.recordEnds = recordEnds
        self.eventIDs = eventIDs
        self.framing = framing
        self.registryID = registryID
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
    /// Called once before the first batch: check the receiver is there and accepts our
    /// credentials, so a wrong endpoint or token fails at start-up with a clear message.
    func start() async throws
    /// Returns only once the batch is durable at the receiver (written and fsynced, or acknowledged).
    func send(_ batch: EncodedBatch) async throws -> Delivery
    func close() async throws
    /// Where records go, for the closing summary (a path, a URL without credentials).
    var destination: String { get }
    /// How many batches the runner may hand over before the first is accepted. Files need 1
    /// (lines in order); a network sink takes more, because one request at a time spends most of
    /// its time waiting on the round trip. `send` must then be safe to call concurrently.
    var maxInFlight: Int { get }
    /// Whether the sink wants `writeRecordPrefix` before each record, inside the batch: then a
    /// request body can be the batch's own bytes, not a copy interleaved with per-record lines.
    var writesRecordPrefix: Bool { get }
    /// Writes what goes before one record (Elasticsearch's action line and its newline).
    func writeRecordPrefix(eventID: Int64, registryID: String, into writer: inout RecordWriter)
}

extension EventSink {
    public var destination: String { Self.id }
    public var maxInFlight: Int { 1 }
    public var writesRecordPrefix: Bool { false }
    public func writeRecordPrefix(eventID: Int64, registryID: String, into writer: inout RecordWriter) {}
    public func start() async throws {}
}

extension EncodedBatch {
    /// Records `range` as one JSON array, `[r1,r2,…]`: the body Sentinel's APIs and generic
    /// JSON collectors take.
    public func jsonArrayBody(_ range: Range<Int>? = nil) -> [UInt8] {
        let range = range ?? 0..<count
        var body: [UInt8] = []
        body.reserveCapacity(byteCount(range) + 2)
        body.append(UInt8(ascii: "["))
        for i in range {
            if i != range.lowerBound { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: record(i))
        }
        body.append(UInt8(ascii: "]"))
        return body
    }

    /// What a sink that writes lines (a file, stdout) writes for the batch: the records one per
    /// line, or for OTLP the batch's one request on one line.
    public var lineOutput: [UInt8] { linePieces.flatMap { $0 } }

    /// `lineOutput` in pieces to write one after another, without copying the records: for an
    /// OTLP batch whose records the runner joined with commas, the request's head, the records
    /// as they are, and its tail.
    public var linePieces: [ArraySlice<UInt8>] {
        guard framing == .otlpLogs, !isEmpty else { return [bytes[...]] }
        if recordEnds.allSatisfy({ bytes[$0 - 1] == UInt8(ascii: ",") }) {
            let body = otlpLogsBody(0..<0)  // the envelope around no records
            let split = body.count - Self.otlpTail.count
            return [body[0..<split], bytes[0..<bytes.count - 1], ArraySlice(Self.otlpTail + [0x0A])]
        }
        return [ArraySlice(otlpLogsBody() + [0x0A])]
    }

    static let otlpTail = Array("]}]}]}".utf8)

    /// Records `range` (OTLP log records) as one OTLP/HTTP JSON `ExportLogsServiceRequest`:
    /// one resource (`service.name` `oversight-registry`, `oversight.registry_id`), one scope
    /// (`siem-export`, the formatter's schema version), the records in order
    /// (opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
    public func otlpLogsBody(_ range: Range<Int>? = nil) -> [UInt8] {
        let range = range ?? 0..<count
        var head = RecordWriter(capacity: 256)
        head.beginObject()
        head.key("resourceLogs")
        head.beginArray()
        head.beginObject()
        head.key("resource")
        head.beginObject()
        head.key("attributes")
        head.beginArray()
        for (key, value) in [("service.name", "oversight-registry"), ("oversight.registry_id", registryID)]
        where !value.isEmpty {
            head.beginObject()
            head.key("key")
            head.string(key)
            head.key("value")
            head.beginObject()
            head.key("stringValue")
            head.string(value)
            head.endObject()
            head.endObject()
        }
        head.endArray()
        head.endObject()
        head.key("scopeLogs")
        head.beginArray()
        head.beginObject()
        head.key("scope")
        head.beginObject()
        head.key("name")
        head.string("siem-export")
        head.key("version")
        head.string(schema)
        head.endObject()
        head.key("logRecords")
        var body = head.bytes + [UInt8(ascii: "[")]
        body.reserveCapacity(body.count + byteCount(range) + 16)
        for i in range {
            if i != range.lowerBound { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: record(i))
        }
        body += Self.otlpTail
        return body
    }

    /// Records `range`, each followed by a newline, exactly as encoded (NDJSON; HEC's batch body).
    public func linesBody(_ range: Range<Int>? = nil) -> [UInt8] {
        let range = range ?? 0..<count
        guard !range.isEmpty else { return [] }
        let start = range.lowerBound == 0 ? 0 : recordEnds[range.lowerBound - 1]
        return Array(bytes[start..<recordEnds[range.upperBound - 1]])
    }

    /// Bytes of records `range` including their newlines.
    public func byteCount(_ range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        let start = range.lowerBound == 0 ? 0 : recordEnds[range.lowerBound - 1]
        return recordEnds[range.upperBound - 1] - start
    }

    /// Consecutive record ranges of at most `maxRecords` records and `maxBytes` bytes each
    /// (newlines counted, plus `overhead` per range and `perRecordOverhead` per record for
    /// framing); a single record larger than `maxBytes` gets a range of its own, for the
    /// receiver to judge.
    public func chunks(maxRecords: Int, maxBytes: Int, overhead: Int = 0, perRecordOverhead: Int = 0) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < count {
            var end = start + 1
            while end < count && end - start < maxRecords
                && byteCount(start..<(end + 1)) + overhead + perRecordOverhead * (end + 1 - start) <= maxBytes
            {
                end += 1
            }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }
}

/// A sink that delivered part of a batch before failing: the runner checkpoints the accepted
/// prefix, then stops with `error`.
public struct PartialDelivery: Error, Sendable {
    public var accepted: Int
    public var error: SIEMError
    public init(accepted: Int, error: SIEMError) {
        self.accepted = accepted
        self.error = error
    }
}
