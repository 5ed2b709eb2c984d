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

    /// Omitted when nil or empty; cut to at most `limit` bytes of UTF-8 before escaping (the
    /// extension dictionary's length for the key), at a character boundary.
    mutating func add(_ name: StaticString, _ value: UTF8Text?, limit: Int, _ out: inout RecordWriter) {
        guard let value, !value.isEmpty else { return }
        key(name, &out)
        value.withUTF8 { bytes in
            out.appendText(Self.prefix(bytes, limit: limit), escaping: Self.valueEscapes, with: Self.escapeValue)
        }
    }

    mutating func add(_ name: StaticString, _ value: String, limit: Int, _ out: inout RecordWriter) {
        key(name, &out)
        var value = value
        value.withUTF8 { bytes in
            out.appendText(Self.prefix(bytes, limit: limit), escaping: Self.valueEscapes, with: Self.escapeValue)
        }
    }

    /// The longest prefix of at most `limit` bytes that ends on a UTF-8 character boundary.
    ///
    /// The CEF standard gives each string key a length (`act` 63, `msg` 1023, `cs1` 4000, …) and
    /// no rule for longer values; ArcSight stores them as VARCHAR(n), so a longer value is cut
    /// here rather than by a connector in the middle of a character. Bytes, not characters, are
    /// counted: the stricter reading, since the standard does not say which.
    static func prefix(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> UnsafeBufferPointer<UInt8> {
        guard bytes.count > limit else { return bytes }
        var end = limit
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // back off a continuation byte
        return UnsafeBufferPointer(rebasing: bytes[0..<end])
    }
}

/// Lengths of the CEF keys written, from the extension dictionary (OpenText "CEF Implementation
/// Standard", Chapter 2 "ArcSight Extension Dictionary"), in bytes of UTF-8.
enum CEFLength {
    static let deviceAction = 63  // act
    static let string1023 = 1023  // msg, suser, duser, fileId, requestClientApplication, dhost, reason, …
    static let customString = 4000  // cs1–cs6
    static let signatureID = 1023  // header Device Event Class ID
    static let name = 512  // header Name
}
