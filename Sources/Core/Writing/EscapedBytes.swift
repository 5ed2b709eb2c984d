/// The few byte values a text format escapes (at most six), tested eight bytes at a time so that
/// `RecordWriter.appendText(_:escaping:with:)` copies runs of plain text instead of looking at
/// each byte through a closure.
public struct EscapedBytes: Sendable {
    @usableFromInline let broadcasts: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// `bytes`: one to six values; a repeated value costs a little time, nothing else.
    public init(_ bytes: UInt8...) {
        precondition((1...6).contains(bytes.count), "EscapedBytes holds one to six byte values")
        let b = (0..<6).map { UInt64(bytes[min($0, bytes.count - 1)]) &* 0x0101_0101_0101_0101 }
        broadcasts = (b[0], b[1], b[2], b[3], b[4], b[5])
    }

    /// Whether `byte` is in the set.
    public func contains(_ byte: UInt8) -> Bool {
        occurs(in: UInt64(byte) &* 0x0101_0101_0101_0101)
    }

    /// Whether one of the eight bytes of `word` is in the set: the "has zero byte" test on
    /// `word` XOR each value, exact for the word as a whole.
    @inlinable @inline(__always)
    func occurs(in word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        @inline(__always) func zeros(_ x: UInt64) -> UInt64 { (x &- ones) & ~x }
        let found =
            zeros(word ^ broadcasts.0) | zeros(word ^ broadcasts.1) | zeros(word ^ broadcasts.2)
            | zeros(word ^ broadcasts.3) | zeros(word ^ broadcasts.4) | zeros(word ^ broadcasts.5)
        return found & 0x8080_8080_8080_8080 != 0
    }
}
