import SIEMCore

/// A field of a `table` mapper bound to the column it reads in the batch, made once when the
/// mapper is built so that mapping a row is index lookups and byte compares, no dictionary and
/// no `String` per row.
enum TextFieldPlan: Sendable {
    case absent
    case column(Int)
    case constant(UTF8Text)
    case mapped(Int, ValueMap<UTF8Text>)

    init(_ source: TableFieldSource?, _ index: (String) -> Int) {
        switch source {
        case nil: self = .absent
        case .column(let name): self = .column(index(name))
        case .constant(let value): self = value.isEmpty ? .absent : .constant(UTF8Text(value))
        case .mapped(let name, let map, let defaultValue):
            self = .mapped(index(name), ValueMap(map, defaultValue) { $0.isEmpty ? nil : UTF8Text($0) })
        }
    }

    /// The field's text for row `row`, nil when absent.
    @inline(__always)
    func text(_ batch: borrowing RowBatch, _ row: Int, _ field: StaticString) throws -> UTF8Text? {
        switch self {
        case .absent: return nil
        case .constant(let text): return text
        case .column(let column): return try TableValues.text(batch[row, column], field, id: batch.ids[row])
        case .mapped(let column, let map): return try map.value(batch[row, column], field, id: batch.ids[row]) ?? nil
        }
    }

    /// The field's raw value for row `row` (numbers are read from it), or a mapped value's text.
    func value(_ batch: borrowing RowBatch, _ row: Int, _ field: StaticString) throws -> SQLValue {
        switch self {
        case .absent: return .null
        case .constant(let text): return .text(text)
        case .column(let column): return batch[row, column]
        case .mapped(let column, let map):
            return (try map.value(batch[row, column], field, id: batch.ids[row]) ?? nil).map { .text($0) } ?? .null
        }
    }
}

/// An enumerated field (outcome, verdict, severity by column): a constant, or a column whose
/// value is a canonical name (any case) or translated by `map:`.
struct EnumFieldPlan<Value: Sendable>: Sendable {
    enum Source: Sendable {
        case absent
        case constant(Value)
        case column(Int, ValueMap<Value>?)
    }

    let source: Source
    let parse: @Sendable (String) -> Value?

    init(_ source: TableFieldSource?, _ index: (String) -> Int, parse: @escaping @Sendable (String) -> Value?) {
        self.parse = parse
        switch source {
        case nil: self.source = .absent
        case .constant(let name): self.source = parse(name).map { .constant($0) } ?? .absent
        case .column(let name): self.source = .column(index(name), nil)
        case .mapped(let name, let map, let defaultValue):
            self.source = .column(index(name), ValueMap(map, defaultValue, parse))
        }
    }

    /// The value for row `row`; nil when absent or NULL (and no default stands in).
    func value(_ batch: borrowing RowBatch, _ row: Int, _ field: StaticString) throws -> Value? {
        switch source {
        case .absent: return nil
        case .constant(let value): return value
        case .column(let column, let map?):
            return try map.value(batch[row, column], field, id: batch.ids[row]) ?? nil
        case .column(let column, nil):
            let id = batch.ids[row]
            guard let text = try TableValues.text(batch[row, column], field, id: id) else { return nil }
            guard let value = parse(text.string) else {
                throw SIEMError.badRow(
                    id: id, message: "`\(field)` \(TableValues.excerpt(text.string)) is not a known value; add a `map:`"
                )
            }
            return value
        }
    }
}

/// A `map:` and its `default:`, keys as bytes compared with a row's text.
struct ValueMap<Value: Sendable>: Sendable {
    let keys: [[UInt8]]
    let values: [Value?]
    /// `.some(nil)` maps to "absent" (an empty default).
    let defaultValue: Value??

    init(_ map: [String: String], _ defaultValue: String?, _ convert: (String) -> Value?) {
        let entries = map.sorted { $0.key < $1.key }
        keys = entries.map { Array($0.key.utf8) }
        values = entries.map { convert($0.value) }
        self.defaultValue = defaultValue.map(convert)
    }

    /// The mapped value: `.some(nil)` when it maps to nothing; NULL and empty text read as the
    /// default, else as absent; a value the map lacks without a default is a bad row.
    func value(_ value: SQLValue, _ field: StaticString, id: Int64) throws -> Value?? {
        guard let text = try TableValues.text(value, field, id: id) else { return defaultValue ?? .some(nil) }
        let found = text.withUTF8 { bytes in
            keys.firstIndex { $0.count == bytes.count && $0.withUnsafeBufferPointer { $0.elementsEqual(bytes) } }
        }
        if let found { return .some(values[found]) }
        if let defaultValue { return defaultValue }
        throw SIEMError.badRow(
            id: id,
            message: "`\(field)` value \(TableValues.excerpt(text.string)) has no entry in `map:` and no `default:`")
    }
}
