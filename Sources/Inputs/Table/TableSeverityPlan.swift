import SIEMCore

/// `TableSeverityRule` bound to the batch's columns.
struct SeverityPlan: Sendable {
    enum Rule: Sendable {
        case constant(EventSeverity)
        case fromOutcome([EventSeverity])
        case fromVerdict([EventSeverity])
        case column(EnumFieldPlan<EventSeverity>)
    }

    let rule: Rule

    init(_ rule: TableSeverityRule, _ index: (String) -> Int) {
        switch rule {
        case .constant(let severity): self.rule = .constant(severity)
        case .fromOutcome(let table):
            self.rule = .fromOutcome(EventOutcome.allCases.map { table[$0] ?? .unknown })
        case .fromVerdict(let table):
            self.rule = .fromVerdict(EventVerdict.allCases.map { table[$0] ?? .unknown })
        case .column(let source):
            self.rule = .column(EnumFieldPlan(source, index) { EventSeverity(name: $0) })
        }
    }

    func value(
        _ batch: borrowing RowBatch, _ row: Int, outcome: EventOutcome, verdict: EventVerdict?
    ) throws -> EventSeverity {
        switch rule {
        case .constant(let severity): return severity
        case .fromOutcome(let table): return table[EventOutcome.allCases.firstIndex(of: outcome)!]
        case .fromVerdict(let table):
            guard let verdict else { return .unknown }
            return table[EventVerdict.allCases.firstIndex(of: verdict)!]
        case .column(let plan): return try plan.value(batch, row, "severity") ?? .unknown
        }
    }
}

/// The attributes of a row: a column's JSON object, or an object of several columns.
struct AttributesPlan: Sendable {
    enum Source: Sendable {
        case absent
        case json(Int)
        case columns([(name: String, index: Int)])
    }

    let source: Source

    init(_ attributes: TableAttributesSource?, _ index: (String) -> Int) {
        switch attributes {
        case nil: source = .absent
        case .json(let column): source = .json(index(column))
        case .columns(let names): source = .columns(names.map { ($0, index($0)) })
        }
    }

    func value(_ batch: borrowing RowBatch, _ row: Int) throws -> JSONText? {
        switch source {
        case .absent: return nil
        case .json(let column): return AttributesJSON.object(batch[row, column])
        case .columns(let columns):
            var writer = RecordWriter(capacity: 128)
            writer.beginObject()
            var any = false
            for (name, column) in columns {
                switch batch[row, column] {
                case .null: continue
                case .integer(let i):
                    writer.key(name)
                    writer.int(i)
                case .real(let d):
                    // SQLite stores no NaN; an infinity has no JSON form and is left out like NULL.
                    guard d.isFinite else { continue }
                    writer.key(name)
                    writer.value(.number(String(d)))
                case .text(let t):
                    writer.key(name)
                    writer.string(t)
                case .blob(let bytes):
                    writer.key(name)
                    writer.string(Self.hex(bytes))
                }
                any = true
            }
            writer.endObject()
            return any ? JSONText(canonicalBytes: writer.bytes) : nil
        }
    }

    /// A BLOB as lowercase hex: JSON has no bytes.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
