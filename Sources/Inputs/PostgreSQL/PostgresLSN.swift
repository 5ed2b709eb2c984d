/// A position in the write-ahead log (`pg_lsn`), written `16/B374D848` like PostgreSQL does.
public struct PostgresLSN: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Parses `X/Y` (hexadecimal halves); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let high = UInt32(parts[0], radix: 16), let low = UInt32(parts[1], radix: 16) else {
            return nil
        }
        value = UInt64(high) << 32 | UInt64(low)
    }

    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    public static func < (a: PostgresLSN, b: PostgresLSN) -> Bool { a.value < b.value }
}
