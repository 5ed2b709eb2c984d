import CPostgres
import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns one text-format value of a result into a `SQLValue` (the mapping is `PostgresValueKind`'s).
///
/// Text format, not binary: measured on 1,000,000 rows of the throughput check (notes), parsing
/// integers from text costs little next to copying the text columns, which binary format would
/// not save; text also keeps `numeric` exact and timestamps readable without calendar code.
enum PostgresValueDecoder {
    @inline(__always)
    static func value(
        _ result: PostgresResult, row: Int, column: Int, kind: PostgresValueKind, arena: TextArena,
        rowID: Int64
    ) throws -> SQLValue {
        if result.isNull(row, column) { return .null }
        let bytes = result.bytes(row, column)
        switch kind {
        case .integer:
            guard let value = parseInteger(bytes) else { throw unreadable(result, column, rowID, bytes) }
            return .integer(value)
        case .unsignedInteger:
            guard let value = parseUnsigned(bytes) else { throw unreadable(result, column, rowID, bytes) }
            guard value <= UInt64(Int64.max) else {
                throw SIEMError.badRow(
                    id: rowID,
                    message: "column \(result.columnName(column)): xid8 value \(value) is above the signed 64-bit range"
                )
            }
            return .integer(Int64(value))
        case .real:
            let text = result.cString(row, column)
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(text, &end)
            // strtod follows the process's LC_NUMERIC: in a host that set a locale with a decimal
            // comma it stops at the '.'. Swift's own parser ignores the locale (and allocates).
            guard end == UnsafeMutablePointer(mutating: text) + bytes.count else {
                guard let value = Double(String(decoding: bytes, as: UTF8.self)) else {
                    throw SIEMError.badRow(
                        id: rowID, message: "column \(result.columnName(column)): not a floating-point number")
                }
                return .real(value)
            }
            return .real(value)
        case .boolean:
            return .integer(bytes.first == UInt8(ascii: "t") ? 1 : 0)
        case .bytes:
            return .blob(unescapeBytea(result.cString(row, column)))
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

    /// `bytea` in hex output form (`\x0a1b…`, set per session) to its bytes, by libpq.
    private static func unescapeBytea(_ text: UnsafePointer<CChar>) -> [UInt8] {
        var length = 0
        guard
            let raw = text.withMemoryRebound(to: UInt8.self, capacity: 1, { PQunescapeBytea($0, &length) })
        else { return [] }
        defer { PQfreemem(raw) }
        return Array(UnsafeBufferPointer(start: raw, count: length))
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
        _ result: PostgresResult, _ column: Int, _ rowID: Int64, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> SIEMError {
        .badRow(
            id: rowID,
            message: "column \(result.columnName(column)): '\(String(decoding: bytes.prefix(40), as: UTF8.self))' "
                + "is not a 64-bit integer")
    }
}
