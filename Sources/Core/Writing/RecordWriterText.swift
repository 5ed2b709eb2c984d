/// The writer's side for text formats (CEF, syslog): bytes appended as they are or with the
/// format's own escaping, no JSON structure.
extension RecordWriter {
    /// Appends a constant as is (text formats: CEF, syslog).
    @inlinable @inline(__always)
    public mutating func appendRaw(_ constant: StaticString) {
        buffer.append(UnsafeRawPointer(constant.utf8Start), count: constant.utf8CodeUnitCount)
    }

    /// Appends Unix seconds as RFC 3339 UTC without quotes (`1970-01-01T00:00:00Z`).
    public mutating func appendRawRFC3339(_ unixSeconds: Int64) {
        RFC3339.write(unixSeconds: unixSeconds, into: buffer)
    }

    /// Appends an integer's decimal digits as is.
    public mutating func appendRawDecimal(_ value: Int64) {
        appendDecimal(value)
    }

    /// Appends text, replacing each byte for which `escape` returns a replacement, in runs: the
    /// building block of text formats with their own escaping rules (CEF, RFC 5424 syslog).
    @inlinable
    public mutating func appendText(_ source: UnsafeBufferPointer<UInt8>, escape: (UInt8) -> StaticString?) {
        guard let base = source.baseAddress else { return }
        buffer.reserve(source.count)
        var runStart = 0
        for i in 0..<source.count {
            guard let replacement = escape(base[i]) else { continue }
            if runStart < i { buffer.append(UnsafeRawPointer(base + runStart), count: i - runStart) }
            buffer.append(UnsafeRawPointer(replacement.utf8Start), count: replacement.utf8CodeUnitCount)
            runStart = i + 1
        }
        if runStart < source.count { buffer.append(UnsafeRawPointer(base + runStart), count: source.count - runStart) }
    }

    /// Appends text escaped as `appendText(_:escape:)` does, where `escape` replaces exactly the
    /// bytes in `escaped`: words of eight bytes without one of them are copied without a call
    /// per byte, which for CEF and syslog values is nearly all of them.
    @inlinable
    public mutating func appendText(
        _ source: UnsafeBufferPointer<UInt8>, escaping escaped: EscapedBytes, with escape: (UInt8) -> StaticString?
    ) {
        guard let base = source.baseAddress else { return }
        // Debug builds (the tests) check the contract: a byte `escape` replaces but `escaped`
        // lacks would be copied unescaped whenever its word is skipped.
        assert(
            source.allSatisfy { escape($0) == nil || escaped.contains($0) },
            "escape replaces a byte its EscapedBytes set lacks")
        let n = source.count
        buffer.reserve(n)
        var runStart = 0
        var i = 0
        while i < n {
            while i + 8 <= n, !escaped.occurs(in: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
            }
            let wordEnd = min(i + 8, n)
            while i < wordEnd {
                if let replacement = escape(base[i]) {
                    if runStart < i { buffer.append(UnsafeRawPointer(base + runStart), count: i - runStart) }
                    buffer.append(UnsafeRawPointer(replacement.utf8Start), count: replacement.utf8CodeUnitCount)
                    runStart = i + 1
                }
                i += 1
            }
        }
        if runStart < n { buffer.append(UnsafeRawPointer(base + runStart), count: n - runStart) }
    }

    @inlinable
    public mutating func appendText(
        _ text: UTF8Text, escaping escaped: EscapedBytes, with escape: (UInt8) -> StaticString?
    ) {
        text.withUTF8 { appendText($0, escaping: escaped, with: escape) }
    }

    /// Nothing for nil: for an optional field borrowed in place, without binding a copy.
    @inlinable
    public mutating func appendText(
        _ text: borrowing UTF8Text?, escaping escaped: EscapedBytes, with escape: (UInt8) -> StaticString?
    ) {
        switch text {
        case .some(let text): text.withUTF8 { appendText($0, escaping: escaped, with: escape) }
        case .none: return
        }
    }

    @inlinable
    public mutating func appendText(
        _ text: String, escaping escaped: EscapedBytes, with escape: (UInt8) -> StaticString?
    ) {
        var text = text
        text.withUTF8 { appendText($0, escaping: escaped, with: escape) }
    }

    @inlinable
    public mutating func appendText(_ text: UTF8Text, escape: (UInt8) -> StaticString?) {
        text.withUTF8 { appendText($0, escape: escape) }
    }

    @inlinable
    public mutating func appendText(_ text: String, escape: (UInt8) -> StaticString?) {
        var text = text
        text.withUTF8 { appendText($0, escape: escape) }
    }
}
