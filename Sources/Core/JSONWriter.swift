/// Canonical compact JSON written straight into a caller-owned byte buffer.
///
/// Keys come out in the order the formatter writes them, separators are compact, strings are
/// escaped per RFC 8259 (control characters and U+007F as `\u00XX`, `/` left alone, non-ASCII
/// as raw UTF-8). The same event always gives the same bytes, which is what golden files need,
/// and no per-event dictionary or Foundation call sits in the hot path.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8]
    @usableFromInline var needsComma = false

    public init(capacity: Int = 4_096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Structure

    @inlinable
    mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() {
        separator()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separator()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name known at compile time; it must not need escaping.
    public mutating func key(_ name: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A member name from data (an `extra` key), escaped.
    public mutating func key(_ name: String) {
        separator()
        appendEscaped(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Ends one record of a line-framed batch: a newline, and a fresh comma state.
    public mutating func endRecord() {
        bytes.append(0x0A)
        needsComma = false
    }

    // MARK: Values

    public mutating func string(_ value: String) {
        separator()
        appendEscaped(value)
        needsComma = true
    }

    /// A constant string known at compile time; it must not need escaping.
    public mutating func string(_ value: StaticString) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func int(_ value: Int64) {
        separator()
        appendDecimal(value)
        needsComma = true
    }

    /// An integer written as a JSON string, for ids that SIEMs index as keywords.
    public mutating func intString(_ value: Int64) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        appendDecimal(value)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separator()
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
        needsComma = true
    }

    public mutating func null() {
        separator()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        needsComma = true
    }

    /// Unix seconds as an RFC 3339 UTC string, e.g. `"1970-01-01T00:00:00Z"`.
    public mutating func rfc3339(_ unixSeconds: Int64) {
        separator()
        bytes.append(UInt8(ascii: "\""))
        RFC3339.write(unixSeconds: unixSeconds, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let text):
            separator()
            bytes.append(contentsOf: text.utf8)
            needsComma = true
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    /// Canonical JSON written as is.
    public mutating func json(_ text: JSONText) {
        separator()
        bytes.append(contentsOf: text.bytes)
        needsComma = true
    }

    /// Canonical JSON written as one JSON string (Sentinel's `ExtraJson`).
    public mutating func jsonTextString(_ text: JSONText) {
        separator()
        text.bytes.withUnsafeBufferPointer { appendEscaped(utf8: $0) }
        needsComma = true
    }

    /// `value` rendered as compact JSON and written as one JSON string.
    public mutating func jsonTextString(_ value: JSONValue) {
        var inner = JSONWriter(capacity: 256)
        inner.value(value)
        separator()
        inner.bytes.withUnsafeBufferPointer { appendEscaped(utf8: $0) }
        needsComma = true
    }

    // MARK: Fields that are omitted when empty

    /// Writes `"name":"value"` unless `value` is nil or empty: empty optionals are omitted, never null.
    public mutating func field(_ name: StaticString, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        key(name)
        string(value)
    }

    public mutating func field(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    public mutating func field(_ name: StaticString, _ value: JSONValue?) {
        guard let value else { return }
        key(name)
        self.value(value)
    }

    public mutating func field(_ name: StaticString, _ value: JSONText?) {
        guard let value else { return }
        key(name)
        json(value)
    }

    public mutating func field(_ name: StaticString, constant: StaticString) {
        key(name)
        string(constant)
    }

    // MARK: Encoding

    @usableFromInline
    mutating func appendDecimal(_ value: Int64) {
        if value == Int64.min {
            bytes.append(contentsOf: "-9223372036854775808".utf8)
            return
        }
        var v = value
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            v = -v
        }
        if v < 10 {
            bytes.append(UInt8(truncatingIfNeeded: 48 + v))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while v > 0 {
                digits[19 - count] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    @inlinable
    mutating func appendEscaped(_ string: String) {
        var string = string
        string.withUTF8 { appendEscaped(utf8: $0) }
    }

    /// Writes `"…"`, escaping `"`, `\`, C0 controls and DEL; runs of plain bytes are copied at once.
    @inlinable
    mutating func appendEscaped(utf8 source: UnsafeBufferPointer<UInt8>) {
        JSONWriter.appendEscaped(source, to: &bytes)
    }

    /// The escaping rule of every string we write, for anything that renders JSON bytes.
    @inlinable
    public static func appendEscaped(_ source: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let n = source.count
        while i < n {
            let c = source[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C && c != 0x7F {
                i += 1
                continue
            }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<i])) }
            bytes.append(UInt8(ascii: "\\"))
            switch c {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            default:
                bytes.append(UInt8(ascii: "u"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(hexDigit(c >> 4))
                bytes.append(hexDigit(c & 0x0F))
            }
            i += 1
            runStart = i
        }
        if runStart < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<n])) }
        bytes.append(UInt8(ascii: "\""))
    }

    @inlinable
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
}
