import CPostgres
import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns one value in PostgreSQL's text output form into a `SQLValue` (the mapping is
/// `PostgresValueKind`'s): a query result's column, or a column of a logical-replication tuple,
/// which `pgoutput` sends in the same form.
///
/// Text format, not binary: measured with the throughput check (notes), the reader reaches 85 %
/// of what libpq alone fetches in text; binary would need decoders of our own for timestamps,
/// uuid, numeric, inet and more, and text keeps `numeric` exact.
enum PostgresValueDecoder {
    @inline(__always)
    static func value(
        _ result: PostgresResult, row: Int, column: Int, kind: PostgresValueKind, arena: TextArena,
        rowID: Int64
    ) throws -> SQLValue {
        if result.isNull(row, column) { return .null }
        return try value(
            result.bytes(row, column), kind: kind, arena: arena, rowID: rowID, column: result.columnName(column))
    }

    /// `bytes` is the value's text (not NUL-terminated); `column` names it in errors only.
    @inline(__always)
    static func value(
        _ bytes: UnsafeBufferPointer<UInt8>, kind: PostgresValueKind, arena: TextArena, rowID: Int64,
        column: @autoclosure () -> String
    ) throws -> SQLValue {
        switch kind {
        case .integer:
            guard let value = parseInteger(bytes) else { throw unreadable(column(), rowID, bytes, "a 64-bit integer") }
            return .integer(value)
        case .unsignedInteger:
            guard let value = parseUnsigned(bytes) else {
                throw unreadable(column(), rowID, bytes, "an unsigned 64-bit integer")
            }
            guard value <= UInt64(Int64.max) else {
                throw SIEMError.badRow(
                    id: rowID, message: "column \(column()): xid8 value \(value) is above the signed 64-bit range")
            }
            return .integer(Int64(value))
        case .real:
            guard let value = parseDouble(bytes) else {
                throw unreadable(column(), rowID, bytes, "a floating-point number")
            }
            return .real(value)
        case .boolean:
            return .integer(bytes.first == UInt8(ascii: "t") ? 1 : 0)
        case .bytes:
            guard let blob = unescapeBytea(bytes) else { throw unreadable(column(), rowID, bytes, "bytea") }
            return .blob(blob)
        case .timestampWithZone, .timestamp:
            return .text(isoTimestamp(bytes, withZone: kind == .timestampWithZone, arena: arena))
        case .text:
            return .text(arena.append(utf8: bytes))
        }
    }

    /// Decimal text to `Int64`; nil for anything else, including overflow.
    @inline(__always)
    static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = bytes.first else { return nil }
        let negative = first == UInt8(ascii: "-")
        let digits = UnsafeBufferPointer(rebasing: bytes[(negative ? 1 : 0)...])
        guard let magnitude = parseUnsigned(digits) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Decimal text to `UInt64`; nil for anything else, including overflow.
    @inline(__always)
    static func parseUnsigned(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    /// `float4`/`float8` output (`NaN`, `Infinity` included) by `strtod` on a NUL-terminated copy.
    /// `strtod` follows the process's LC_NUMERIC: in a host that set a locale with a decimal comma
    /// it stops at the '.', and Swift's own parser, which ignores the locale, takes over.
    @inline(__always)
    static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { scratch in
            let base = scratch.baseAddress!
            bytes.withMemoryRebound(to: CChar.self) { source in
                if let address = source.baseAddress { base.update(from: address, count: source.count) }
            }
            base[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &end)
            if end == base + bytes.count, bytes.count > 0 { return value }
            return Double(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// `bytea` in hex output form (`\x0a1b…`, set per session) to its bytes.
    static func unescapeBytea(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0
        else { return nil }
        @inline(__always) func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out = [UInt8](repeating: 0, count: (bytes.count - 2) / 2)
        var i = 2
        var o = 0
        while i < bytes.count {
            guard let high = nibble(bytes[i]), let low = nibble(bytes[i + 1]) else { return nil }
            out[o] = high << 4 | low
            i += 2
            o += 1
        }
        return out
    }

    /// PostgreSQL's ISO output (`2024-05-01 12:34:56.789+00`, the session is in UTC) as RFC 3339:
    /// `T` between date and time, `Z` for the zero offset. Values outside that form (`infinity`,
    /// BC dates, years past 9999) are kept as they are.
    private static func isoTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, withZone: Bool, arena: TextArena) -> UTF8Text
    {
        let n = bytes.count
        guard n >= 19, n <= 40, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
            bytes[n - 1] != UInt8(ascii: "C")
        else { return arena.append(utf8: bytes) }
        let zoned =
            withZone && n >= 22 && bytes[n - 3] == UInt8(ascii: "+") && bytes[n - 2] == UInt8(ascii: "0")
            && bytes[n - 1] == UInt8(ascii: "0")
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { scratch in
            var count = zoned ? n - 3 : n
            _ = scratch.initialize(from: UnsafeBufferPointer(rebasing: bytes[..<count]))
            scratch[10] = UInt8(ascii: "T")
            if zoned {
                scratch[count] = UInt8(ascii: "Z")
                count += 1
            }
            return arena.appendValidated(UnsafeBufferPointer(rebasing: scratch[..<count]))
        }
    }

    private static func unreadable(
        _ column: String, _ rowID: Int64, _ bytes: UnsafeBufferPointer<UInt8>, _ what: String
    ) -> SIEMError {
        .badRow(
            id: rowID,
            message: "column \(column): '\(String(decoding: bytes.prefix(40), as: UTF8.self))' is not \(what)")
    }
}
