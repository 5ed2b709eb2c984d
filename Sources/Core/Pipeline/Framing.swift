/// How a batch's records become what a sink sends or writes: the stage between formatter and
/// sink, owned here and nowhere else.
///
/// A formatter declares the kinds of framing its records can take (`EventFormatter.framings`), a
/// sink the framings it accepts (`EventSink.framings(for:)`); the assembler picks the first of the
/// sink's that the formatter can produce, or refuses the pair. The runner writes each record's
/// prefix and separator as it formats (`RecordFramer`), so a body that is the whole batch is the
/// batch's own bytes; `EncodedBatch.body(_:)` builds every other body. A sink never writes into
/// the formatter's buffer and never builds an envelope itself.
public enum Framing: Sendable, Equatable {
    /// One JSON document per line (files, NDJSON collectors).
    case ndjson
    /// Splunk HEC envelopes one after another (we send one per line).
    case concatenated
    /// One JSON array of the records, `[r1,r2,…]` (Azure's ingest APIs, JSON collectors).
    case jsonArray
    /// One text line per record (CEF, syslog).
    case lines
    /// OTLP log records in one OTLP/HTTP JSON `ExportLogsServiceRequest` per body; a line
    /// writer writes each batch's request as one line.
    case otlpLogs
    /// Elasticsearch `_bulk`: a `create` action line before each document, whose `_id` is
    /// `<origin>:<event id>` so a re-sent document is a 409, never a duplicate.
    case elasticsearchBulk(index: String)

    public var kind: FramingKind {
        switch self {
        case .ndjson: return .ndjson
        case .concatenated: return .concatenated
        case .jsonArray: return .jsonArray
        case .lines: return .lines
        case .otlpLogs: return .otlpLogs
        case .elasticsearchBulk: return .elasticsearchBulk
        }
    }

    /// The first of `accepted` (a sink's, in its order of preference) whose kind a formatter
    /// that produces `produced` can fill; nil when the two do not fit.
    public static func negotiate(produced: [FramingKind], accepted: [Framing]) -> Framing? {
        accepted.first { produced.contains($0.kind) }
    }
}

/// A framing without its parameters: what formatters declare and messages name.
public enum FramingKind: String, Sendable, CaseIterable {
    case ndjson
    case concatenated
    case jsonArray = "json_array"
    case lines
    case otlpLogs = "otlp_logs"
    case elasticsearchBulk = "elasticsearch_bulk"

    /// What a formatter of JSON documents (one object per event) can be framed as.
    public static let documents: [FramingKind] = [.ndjson, .jsonArray, .elasticsearchBulk]
}

/// Writes what a framing puts around each record as the runner formats it: the bulk action line
/// before, the separator after (a newline; a comma between OTLP records, whose request envelope
/// `EncodedBatch` writes around the batch's bytes as they are).
public struct RecordFramer: Sendable {
    public let framing: Framing
    /// `{"create":{"_index":"<index>","_id":"`, escaped once.
    @usableFromInline let bulkHead: [UInt8]?
    public let separator: UInt8

    public init(_ framing: Framing) {
        self.framing = framing
        if case .elasticsearchBulk(let index) = framing {
            var w = RecordWriter(capacity: 64 + index.utf8.count)
            w.beginObject()
            w.key("create")
            w.beginObject()
            w.key("_index")
            w.string(index)
            w.key("_id")
            w.beginString()
            bulkHead = w.bytes
        } else {
            bulkHead = nil
        }
        separator = framing == .otlpLogs ? UInt8(ascii: ",") : 0x0A
    }

    /// What goes before `event`'s record (only the bulk action line). Inlined into the runner's
    /// loop, and the event is only read for `_bulk`: touching its origin `String` for every record
    /// of every framing would count references on it across the reader's and formatter's threads.
    @inlinable @inline(__always)
    public func writePrefix(of event: borrowing Event, into w: inout RecordWriter) {
        guard bulkHead != nil else { return }
        writePrefix(eventID: event.eventID, origin: event.origin, into: &w)
    }

    /// The bulk action line of event `eventID` from `origin`.
    public func writePrefix(eventID: Int64, origin: String, into w: inout RecordWriter) {
        guard let bulkHead else { return }
        w.appendRaw(bulkHead)
        if !origin.isEmpty {
            w.stringContents(origin)
            w.stringContents(":" as StaticString)
        }
        w.stringContents(decimal: eventID)
        w.endString()
        w.endObject()
        w.endObject()
        w.endRecord()
    }

    /// Ends one record.
    @inlinable @inline(__always)
    public func endRecord(_ w: inout RecordWriter) {
        w.endRecord(separator: separator)
    }
}
