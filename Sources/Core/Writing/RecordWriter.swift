/// Writes one formatter's records straight into a byte buffer: canonical compact JSON here, and
/// the text formats' escaped appends (CEF, syslog) in `RecordWriterText.swift`.
///
/// JSON keys come out in the order the formatter writes them, separators are compact, strings are
/// escaped per RFC 8259 (control characters and U+007F as `\u00XX`, `/` left alone, non-ASCII
/// as raw UTF-8). The same event always gives the same bytes, which is what golden files need,
/// and no per-event dictionary or Foundation call sits in the hot path. The buffer is shared by
/// copies of a writer: pass it `inout`, as formatters do, rather than copying it.
public struct RecordWriter: Sendable {
    @usableFromInline let buffer: RecordBuffer
    @usableFromInline var needsComma = false

    public init(capacity: Int = 4_096) {
        buffer = RecordBuffer(capacity: capacity)
    }

    /// Empties the writer, keeping its memory for the next batch.
    public mutating func reset() {
        buffer.count = 0
        needsComma = false
    }

    /// Everything written so far (a copy).
    public var bytes: [UInt8] { buffer.array }

    /// How many bytes are written.
    @inlinable public var count: Int { buffer.count }

    /// Appends bytes that are already valid JSON for the current position.
    @inlinable
    public mutating func appendRaw(_ raw: some Collection<UInt8>) {
        if let done = raw.withContiguousStorageIfAvailable({ buffer.append($0) }) { return done }
        for byte in raw { buffer.append(byte) }
    }

    // MARK: Structure

    @inlinable @inline(__always)
    mutating func separator() {
        if needsComma { buffer.append(UInt8(ascii: ",")) }
    }

    @inlinable @inline(__always)
    public mutating func beginObject() {
        separator()
        buffer.append(UInt8(ascii: "{"))
        needsComma = false
    }

    @inlinable @inline(__always)
    public mutating func endObject() {
        buffer.append(UInt8(ascii: "}"))
        needsComma = true
    }

    @inlinable @inline(__always)
    public mutating func beginArray() {
        separator()
        buffer.append(UInt8(ascii: "["))
        needsComma = false
    }

    @inlinable @inline(__always)
    public mutating func endArray() {
        buffer.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name known at compile time; it must not need escaping.
    @inlinable @inline(__always)
    public mutating func key(_ name: StaticString) {
        assert(Self.needsNoEscaping(name), "constant key \(name) needs escaping")
        separator()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UnsafeRawPointer(name.utf8Start), count: name.utf8CodeUnitCount)
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A member name from data (an `extra` key), escaped. Disfavoured, so that a literal
    /// (`key("event")`) takes the constant overload instead of being escaped at run time.
    @_disfavoredOverload
    public mutating func key(_ name: String) {
        separator()
        appendEscaped(name)
        buffer.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Ends one record of a line-framed batch: a newline, and a fresh comma state.
    public mutating func endRecord() {
        endRecord(separator: 0x0A)
    }

    /// Ends one record with another separator (`,` between the OTLP log records of a request).
    @inlinable
    public mutating func endRecord(separator: UInt8) {
        buffer.append(separator)
        needsComma = false
    }

    // MARK: Values

    /// Disfavoured, so that a literal (`string("network")`) takes the constant overload.
    @inlinable @_disfavoredOverload
    public mutating func string(_ value: String) {
        separator()
        appendEscaped(value)
        needsComma = true
    }

    /// Inlined into formatters with its common case, text that needs no escaping (a copy
    /// between quotes); escaping is a call. The bytes are taken without `withUTF8`'s closure:
    /// `value` is a parameter, so its arena stays alive for the whole call.
    @inlinable @inline(__always) @_disfavoredOverload
    public mutating func string(_ value: UTF8Text) {
        separator()
        if value.needsNoJSONEscaping {
            appendQuoted(utf8: value.unsafeBytes)
        } else {
            appendEscapedOutOfLine(utf8: value.unsafeBytes)
        }
        needsComma = true
    }

    @usableFromInline @inline(never)
    mutating func appendEscapedOutOfLine(utf8 source: UnsafeBufferPointer<UInt8>) {
        appendEscaped(utf8: source)
    }

    /// A constant string known at compile time; it must not need escaping.
    @inlinable @inline(__always)
    public mutating func string(_ value: StaticString) {
        assert(Self.needsNoEscaping(value), "constant string \(value) needs escaping")
        separator()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UnsafeRawPointer(value.utf8Start), count: value.utf8CodeUnitCount)
        buffer.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A string value built from parts (`beginString`, `stringContents`…, `endString`), for
    /// values such as `<registry>:<id>` that would otherwise need a `String` made per record.
    @inlinable
    public mutating func beginString() {
        separator()
        buffer.append(UInt8(ascii: "\""))
    }

    public mutating func stringContents(_ text: String) {
        var text = text
        text.withUTF8 { appendEscapedContents(utf8: $0) }
    }

    @inlinable
    public mutating func stringContents(_ constant: StaticString) {
        appendStatic(constant)
    }

    @inlinable
    public mutating func stringContents(decimal value: Int64) {
        appendDecimal(value)
    }

    @inlinable
    public mutating func endString() {
        buffer.append(UInt8(ascii: "\""))
        needsComma = true
    }

    @inlinable
    public mutating func int(_ value: Int64) {
        separator()
        appendDecimal(value)
        needsComma = true
    }

    /// An integer written as a JSON string, for ids that SIEMs index as keywords.
    @inlinable
    public mutating func intString(_ value: Int64) {
        separator()
        buffer.append(UInt8(ascii: "\""))
        appendDecimal(value)
        buffer.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separator()
        if value {
            appendStatic("true")
        } else {
            appendStatic("false")
        }
        needsComma = true
    }

    public mutating func null() {
        separator()
        appendStatic("null")
        needsComma = true
    }

    /// Unix seconds as an RFC 3339 UTC string, e.g. `"1970-01-01T00:00:00Z"`.
    public mutating func rfc3339(_ unixSeconds: Int64) {
        separator()
        buffer.append(UInt8(ascii: "\""))
        RFC3339.write(unixSeconds: unixSeconds, into: buffer)
        buffer.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// RFC 3339 with the shortest exact fraction of 3, 6 or 9 digits (at most `maxDigits`);
    /// no fraction for a whole second, exactly as `rfc3339(_:)`.
    public mutating func rfc3339(_ unixSeconds: Int64, nanos: Int32, maxDigits: Int = 9) {
        guard nanos > 0 else { return rfc3339(unixSeconds) }
        separator()
        buffer.append(UInt8(ascii: "\""))
        RFC3339.write(unixSeconds: unixSeconds, into: buffer)
        buffer.count -= 1  // the Z
        appendString(RFC3339.fraction(nanos: nanos, maxDigits: maxDigits) + "Z")
        buffer.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let text):
            separator()
            var text = text
            if text.withUTF8({ JSONNumberRange.overflowsDouble($0) }) {
                buffer.append(UInt8(ascii: "\""))
                appendString(text)
                buffer.append(UInt8(ascii: "\""))
            } else {
                appendString(text)
            }
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
        text.text.withUTF8 { buffer.append($0) }
        needsComma = true
    }

    /// Canonical JSON written as one JSON string (Sentinel's `ExtraJson`).
    public mutating func jsonTextString(_ text: JSONText) {
        separator()
        text.text.withUTF8 { appendEscaped(utf8: $0) }
        needsComma = true
    }

    // MARK: Fields that are omitted when empty

    /// Writes `"name":"value"` unless `value` is nil or empty: empty optionals are omitted, never null.
    @inlinable
    public mutating func field(_ name: StaticString, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        key(name)
        string(value)
    }

    @inlinable
    public mutating func field(_ name: StaticString, _ value: borrowing UTF8Text?) {
        // Borrowed, not bound with `if let`: a bound copy costs a retain and a release of the
        // text's arena per field, which across a batch was several percent of a run.
        switch value {
        case .some(let text):
            guard text.count > 0 else { return }
            key(name)
            string(text)
        case .none:
            return
        }
    }

    /// An integer field of any width (ports, scores, counts), omitted when nil.
    @inlinable
    public mutating func field(_ name: StaticString, _ value: (some BinaryInteger)?) {
        guard let value else { return }
        key(name)
        int(Int64(value))
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

    @inlinable @inline(__always)
    public mutating func field(_ name: StaticString, constant: StaticString) {
        key(name)
        string(constant)
    }

    /// Whether a constant is safe to write between quotes as is (checked in debug builds, where
    /// the tests run: a literal such as `string("a\"b")` takes the constant overload).
    @usableFromInline
    static func needsNoEscaping(_ constant: StaticString) -> Bool {
        constant.withUTF8Buffer { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F }
        }
    }

    // MARK: Encoding

    @usableFromInline
    mutating func appendDecimal(_ value: Int64) {
        if value == Int64.min {
            appendStatic("-9223372036854775808")
            return
        }
        var v = value
        if v < 0 {
            buffer.append(UInt8(ascii: "-"))
            v = -v
        }
        if v < 10 {
            buffer.append(UInt8(truncatingIfNeeded: 48 + v))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while v > 0 {
                digits[19 - count] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
                count += 1
            }
            buffer.append(UnsafeRawPointer(digits.baseAddress! + (20 - count)), count: count)
        }
    }

    @inlinable
    mutating func appendEscaped(_ string: String) {
        if string.utf8.withContiguousStorageIfAvailable({ appendEscaped(utf8: $0) }) != nil { return }
        var string = string
        string.withUTF8 { appendEscaped(utf8: $0) }
    }

    /// Writes `"…"`, escaping `"`, `\`, C0 controls and DEL; runs of plain bytes are copied at once.
    @inlinable
    mutating func appendEscaped(utf8 source: UnsafeBufferPointer<UInt8>) {
        buffer.reserve(source.count + 2)
        buffer.append(UInt8(ascii: "\""))
        appendEscapedContents(utf8: source)
        buffer.append(UInt8(ascii: "\""))
    }

    /// Writes `"…"` around bytes known to need no escaping.
    @inlinable @inline(__always)
    mutating func appendQuoted(utf8 source: UnsafeBufferPointer<UInt8>) {
        buffer.reserve(source.count + 2)
        buffer.base[buffer.count] = UInt8(ascii: "\"")
        if let address = source.baseAddress {
            (buffer.base + buffer.count + 1).update(from: address, count: source.count)
        }
        buffer.base[buffer.count + 1 + source.count] = UInt8(ascii: "\"")
        buffer.count += source.count + 2
    }

    /// The inside of a JSON string: escaped bytes without the quotes.
    @inlinable
    mutating func appendEscapedContents(utf8 source: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var i = RecordWriter.nextEscape(source, from: 0)
        while i < source.count {
            if let base = source.baseAddress, runStart < i {
                buffer.append(UnsafeRawPointer(base + runStart), count: i - runStart)
            }
            RecordWriter.writeEscape(source[i]) { buffer.append($0) }
            runStart = i + 1
            i = RecordWriter.nextEscape(source, from: runStart)
        }
        if let base = source.baseAddress, runStart < source.count {
            buffer.append(UnsafeRawPointer(base + runStart), count: source.count - runStart)
        }
    }

    /// The escaping rule of every string we write, for code that renders JSON into an array.
    public static func appendEscaped(_ source: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = nextEscape(source, from: 0)
        while i < source.count {
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<i])) }
            writeEscape(source[i]) { bytes.append($0) }
            runStart = i + 1
            i = nextEscape(source, from: runStart)
        }
        if runStart < source.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart...])) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The index of the first byte at or after `start` that needs escaping, or `source.count`.
    /// Eight bytes at a time: a word is skipped when `escapeBits` finds nothing in it.
    @inlinable
    static func nextEscape(_ source: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = source.baseAddress else { return source.count }
        var i = start
        let n = source.count
        while i + 8 <= n {
            if escapeBits(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) != 0 { break }
            i += 8
        }
        while i < n {
            let c = base[i]
            if c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F { return i }
            i += 1
        }
        return n
    }

    /// Non-zero when one of the eight bytes of `word` is below 0x20, `"`, `\` or DEL (the "has
    /// zero byte" bit trick; bytes of 0x80 and above never match, and the answer for the word as
    /// a whole is exact).
    @inlinable @inline(__always)
    static func escapeBits(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below20 = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let delete = word ^ (ones &* 0x7F)
        let zeros = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((delete &- ones) & ~delete)
        return below20 | (zeros & highs)
    }

    /// Writes the escape of one byte that `nextEscape` stopped at.
    @inlinable @inline(__always)
    static func writeEscape(_ c: UInt8, _ emit: (UInt8) -> Void) {
        emit(UInt8(ascii: "\\"))
        switch c {
        case 0x22: emit(0x22)
        case 0x5C: emit(0x5C)
        default:
            emit(UInt8(ascii: "u"))
            emit(UInt8(ascii: "0"))
            emit(UInt8(ascii: "0"))
            emit(hexDigit(c >> 4))
            emit(hexDigit(c & 0x0F))
        }
    }

    @inlinable
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }

    @inlinable
    mutating func appendStatic(_ text: StaticString) {
        buffer.append(UnsafeRawPointer(text.utf8Start), count: text.utf8CodeUnitCount)
    }

    @inlinable
    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append($0) }
    }
}
