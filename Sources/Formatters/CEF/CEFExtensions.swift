import SIEMCore

/// Writes `key=value` pairs separated by single spaces straight into the output, values escaped
/// for CEF extensions: `\` → `\\`, `=` → `\=`, line feed → `\n`, carriage return → `\r`.
struct CEFExtensions {
    private var first = true

    /// The bytes `escapeValue` and `escapeHeader` replace.
    static let valueEscapes = EscapedBytes(UInt8(ascii: "\\"), UInt8(ascii: "="), 0x0A, 0x0D)
    static let headerEscapes = EscapedBytes(UInt8(ascii: "\\"), UInt8(ascii: "|"), 0x0A, 0x0D)

    @inline(__always)
    static func escapeValue(_ byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "="): return "\\="
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        default: return nil
        }
    }

    /// Header fields: `\` → `\\`, `|` → `\|`; a line break, which a header cannot hold, → space.
    @inline(__always)
    static func escapeHeader(_ byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "|"): return "\\|"
        case 0x0A, 0x0D: return " "
        default: return nil
        }
    }

    private mutating func key(_ name: StaticString, _ out: inout RecordWriter) {
        if !first { out.appendRaw(" " as StaticString) }
        first = false
        out.appendRaw(name)
        out.appendRaw("=" as StaticString)
    }

    mutating func add(_ name: StaticString, _ value: StaticString, _ out: inout RecordWriter) {
        key(name, &out)
        out.appendRaw(value)
    }

    mutating func add(_ name: StaticString, decimal value: Int64, _ out: inout RecordWriter) {
        key(name, &out)
        out.appendRawDecimal(value)
    }

    mutating func add(_ name: StaticString, _ value: String, _ out: inout RecordWriter) {
        key(name, &out)
        out.appendText(value, escaping: Self.valueEscapes, with: Self.escapeValue)
    }

    /// Omitted when nil or empty, as every formatter omits empty optionals.
    mutating func add(_ name: StaticString, _ value: UTF8Text?, _ out: inout RecordWriter) {
        guard let value, !value.isEmpty else { return }
        key(name, &out)
        out.appendText(value, escaping: Self.valueEscapes, with: Self.escapeValue)
    }
}
