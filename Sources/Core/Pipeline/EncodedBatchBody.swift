/// The bodies a batch's framing makes: what a network sink sends for some of its records, and
/// what a line writer writes for all of them.
extension EncodedBatch {
    /// The body of one request carrying records `range`. The whole batch of a line framing
    /// (NDJSON, HEC, lines, `_bulk`) is the batch's own bytes, not a copy.
    public func body(_ range: Range<Int>) -> [UInt8] {
        switch framing {
        case .ndjson, .concatenated, .lines, .elasticsearchBulk:
            guard !range.isEmpty else { return [] }
            if range == 0..<count { return bytes }
            let start = range.lowerBound == 0 ? 0 : recordEnds[range.lowerBound - 1]
            return Array(bytes[start..<recordEnds[range.upperBound - 1]])
        case .jsonArray, .otlpLogs:
            return body(items: Array(range))
        }
    }

    /// The body of one request carrying records `items` (in order; not necessarily adjacent, as
    /// when only the items a receiver asked for are sent again).
    public func body(items: [Int]) -> [UInt8] {
        if let first = items.first, let last = items.last, last - first + 1 == items.count {
            switch framing {
            case .ndjson, .concatenated, .lines, .elasticsearchBulk: return body(first..<(last + 1))
            case .jsonArray, .otlpLogs: break
            }
        }
        var out: [UInt8] = []
        let recordBytes = items.reduce(0) { $0 + recordEnds[$1] - ($1 == 0 ? 0 : recordEnds[$1 - 1]) }
        switch framing {
        case .ndjson, .concatenated, .lines, .elasticsearchBulk:
            out.reserveCapacity(recordBytes)
            for i in items {
                out += record(i)
                out.append(0x0A)
            }
        case .jsonArray:
            // `[r1,r2,…]` (RFC 8259 §5).
            out.reserveCapacity(recordBytes + 2)
            out.append(UInt8(ascii: "["))
            for (n, i) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                out += record(i)
            }
            out.append(UInt8(ascii: "]"))
        case .otlpLogs:
            let head = otlpHead()
            out.reserveCapacity(head.count + recordBytes + Self.otlpTail.count)
            out += head
            for (n, i) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                out += record(i)
            }
            out += Self.otlpTail
        }
        return out
    }

    /// How many bytes `body(range)` has, without making it: for splitting under a size limit.
    public func bodySize(_ range: Range<Int>) -> Int {
        guard !range.isEmpty else { return 0 }
        switch framing {
        case .ndjson, .concatenated, .lines, .elasticsearchBulk:
            return byteCount(range)
        case .jsonArray:
            // n separators become n−1 commas and two brackets.
            return byteCount(range) + 1
        case .otlpLogs:
            return otlpHead().count + byteCount(range) - 1 + Self.otlpTail.count
        }
    }

    /// How many bytes `body(items:)` has.
    public func bodySize(items: [Int]) -> Int {
        guard let first = items.first, let last = items.last else { return 0 }
        if last - first + 1 == items.count { return bodySize(first..<(last + 1)) }
        let records = items.reduce(0) { $0 + recordEnds[$1] - ($1 == 0 ? 0 : recordEnds[$1 - 1]) }
        switch framing {
        case .ndjson, .concatenated, .lines, .elasticsearchBulk: return records
        case .jsonArray: return records + 1
        case .otlpLogs: return otlpHead().count + records - 1 + Self.otlpTail.count
        }
    }

    /// Consecutive record ranges of at most `maxRecords` records whose bodies are at most
    /// `maxBytes` each; a record whose body alone is larger gets a range of its own (the sink
    /// decides whether the receiver could ever take it).
    public func chunks(maxRecords: Int = .max, maxBytes: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < count {
            var end = start + 1
            while end < count && end - start < maxRecords && bodySize(start..<(end + 1)) <= maxBytes { end += 1 }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// What a line writer (a file, stdout) writes for the batch, in pieces to write one after
    /// another without copying the records: the records one per line, or for OTLP the batch's
    /// one request on one line (its head, the records as they are, its tail).
    public var linePieces: [ArraySlice<UInt8>] {
        guard framing == .otlpLogs, !isEmpty else { return [bytes[...]] }
        // As `RecordFramer` writes them, records are joined by commas: the envelope goes around
        // the bytes as they are. Records separated otherwise are joined anew.
        guard recordEnds.allSatisfy({ bytes[$0 - 1] == UInt8(ascii: ",") }) else {
            return [ArraySlice(body(0..<count) + [0x0A])]
        }
        return [otlpHead()[...], bytes[0..<bytes.count - 1], ArraySlice(Self.otlpTail + [0x0A])]
    }

    /// `linePieces` joined.
    public var lineOutput: [UInt8] { linePieces.flatMap { $0 } }

    static let otlpTail = Array("]}]}]}".utf8)

    /// An OTLP/HTTP JSON `ExportLogsServiceRequest` up to its first log record: one resource
    /// (the batch's `resource` attributes), one scope (`siem-export`, the formatter's schema
    /// version) (opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
    func otlpHead() -> [UInt8] {
        var head = RecordWriter(capacity: 256)
        head.beginObject()
        head.key("resourceLogs")
        head.beginArray()
        head.beginObject()
        head.key("resource")
        head.beginObject()
        head.key("attributes")
        head.beginArray()
        for (key, value) in resource where !value.isEmpty {
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
        return head.bytes + [UInt8(ascii: "[")]
    }
}
