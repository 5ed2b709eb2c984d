import SIEMCore

/// Reading a row's values as the canonical fields' types, the same way for every `table`
/// mapper: what a column may hold and what makes a row a bad row (dead-lettered with the reason,
/// never guessed).
enum TableValues {
    /// Text, or nil for NULL and the empty string; numbers as their decimal text. A BLOB is not
    /// text: the row is refused rather than written as bytes a SIEM cannot read.
    static func text(_ value: SQLValue, _ field: StaticString, id: Int64) throws -> UTF8Text? {
        switch value {
        case .null: return nil
        case .text(let text): return text.isEmpty ? nil : text
        case .integer(let i): return UTF8Text(String(i))
        case .real(let d): return UTF8Text(String(d))
        case .blob: throw SIEMError.badRow(id: id, message: "`\(field)` holds binary data (a BLOB), not text")
        }
    }

    /// A port, 0–65535, from an integer or its decimal text.
    static func port(_ text: String) -> Int32? {
        guard let n = Int32(text.trimmingASCIIWhitespace()), (0...65_535).contains(n) else { return nil }
        return n
    }

    /// A confidence score, 0–100, from a whole number (a fraction rounds to the nearest).
    static func confidence(_ text: String) -> Int16? {
        let trimmed = text.trimmingASCIIWhitespace()
        if let n = Int16(trimmed), (0...100).contains(n) { return n }
        if let d = Double(trimmed), d.isFinite, (0...100).contains(d) { return Int16(d.rounded()) }
        return nil
    }

    static func number<T>(
        _ value: SQLValue, _ field: String, id: Int64, what: String, _ parse: (String) -> T?
    ) throws -> T? {
        let text: String
        switch value {
        case .null: return nil
        case .integer(let i): text = String(i)
        case .real(let d): text = String(d)
        case .text(let t):
            if t.isEmpty { return nil }
            text = t.string
        case .blob: throw SIEMError.badRow(id: id, message: "`\(field)` holds binary data (a BLOB), not \(what)")
        }
        guard let parsed = parse(text) else {
            throw SIEMError.badRow(id: id, message: "`\(field)` \(excerpt(text)) is not \(what)")
        }
        return parsed
    }

    /// The event time as seconds and nanoseconds since the epoch. NULL, empty or unreadable is a
    /// bad row: a SIEM event without its time is worthless and a guessed time is worse.
    static func time(_ value: SQLValue, _ source: TableTimeSource, id: Int64) throws -> (Int64, Int32) {
        let parsed: (Int64, Int32)?
        switch (source, value) {
        case (_, .null):
            throw SIEMError.badRow(id: id, message: "`fields.time` (\(source.column)) is NULL")
        case (.rfc3339, .text(let text)), (.auto, .text(let text)):
            if case .auto = source, let epoch = epochSeconds(text.string, scale: 1) {
                parsed = epoch
            } else {
                parsed = rfc3339(text.string)
            }
        case (.epoch, _), (.auto, _):
            parsed = epoch(value, scale: 1)
        case (.epochMilliseconds, _):
            parsed = epoch(value, scale: 1_000)
        case (.rfc3339, _):
            parsed = nil
        }
        guard let (seconds, nanos) = parsed else {
            throw SIEMError.badRow(
                id: id,
                message: "`fields.time` (\(source.column)) \(excerpt(value)) is not \(describe(source))")
        }
        guard RFC3339.representableSeconds.contains(seconds) else {
            throw SIEMError.badRow(
                id: id,
                message: "`fields.time` (\(source.column)) is outside years 0000–9999, which RFC 3339 cannot express")
        }
        return (seconds, nanos)
    }

    private static func describe(_ source: TableTimeSource) -> String {
        switch source {
        case .auto: return "a time (epoch seconds or RFC 3339)"
        case .epoch: return "epoch seconds"
        case .epochMilliseconds: return "epoch milliseconds"
        case .rfc3339: return "an RFC 3339 time"
        }
    }

    /// RFC 3339; a time without an offset (`2026-03-04 05:06:07`, SQLite's `CURRENT_TIMESTAMP`)
    /// is read as UTC, which is what SQLite writes.
    static func rfc3339(_ text: String) -> (Int64, Int32)? {
        let trimmed = text.trimmingASCIIWhitespace()
        if let parsed = RFC3339.parse(trimmed) { return parsed }
        guard trimmed.utf8.count >= 19, let last = trimmed.utf8.last, (48...57).contains(last) else { return nil }
        return RFC3339.parse(trimmed + "Z")
    }

    /// An epoch number in units of 1/`scale` s. Integers are exact; a REAL keeps microseconds
    /// (a double holds no more at today's epoch).
    static func epoch(_ value: SQLValue, scale: Int64) -> (Int64, Int32)? {
        switch value {
        case .integer(let n):
            let (q, r) = (n.quotientAndRemainder(dividingBy: scale))
            let (seconds, rest) = r < 0 ? (q - 1, r + scale) : (q, r)
            return (seconds, Int32(rest * (1_000_000_000 / scale)))
        case .real(let d):
            let s = d / Double(scale)
            guard s.isFinite, s > -9.2e18, s < 9.2e18 else { return nil }
            let whole = s.rounded(.down)
            let micros = ((s - whole) * 1_000_000).rounded()
            return micros >= 1_000_000 ? (Int64(whole) + 1, 0) : (Int64(whole), Int32(micros) * 1_000)
        case .text(let text):
            return epochSeconds(text.string, scale: scale)
        case .null, .blob:
            return nil
        }
    }

    /// Decimal text (`1767225600`, `1767225600.25`, `-5`) read exactly.
    static func epochSeconds(_ text: String, scale: Int64) -> (Int64, Int32)? {
        let trimmed = text.trimmingASCIIWhitespace()
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, first != "-", let whole = Int64(first) else { return nil }
        var fraction: Int64 = 0
        var unit: Int64 = 1_000_000_000 / scale
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit) else { return nil }
            var digits = 0
            for c in parts[1] {
                guard digits < 9 else { break }
                unit /= 10
                fraction += Int64(c.asciiValue! - 48) * unit
                digits += 1
            }
            unit = 1_000_000_000 / scale
        }
        let negative = first.hasPrefix("-")
        let (q, r) = whole.quotientAndRemainder(dividingBy: scale)
        var seconds = q
        var nanos = r * unit + (negative ? -fraction : fraction)
        while nanos < 0 {
            seconds -= 1
            nanos += 1_000_000_000
        }
        while nanos >= 1_000_000_000 {
            seconds += 1
            nanos -= 1_000_000_000
        }
        return (seconds, Int32(nanos))
    }

    static func excerpt(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case .blob: return "a BLOB"
        default: return excerpt(value.textValue?.string ?? "")
        }
    }

    static func excerpt(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)).debugDescription + "…" : text.debugDescription
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
