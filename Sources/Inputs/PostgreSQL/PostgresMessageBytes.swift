/// Reads the big-endian integers and NUL-terminated strings of PostgreSQL's streaming replication
/// and `pgoutput` messages (PostgreSQL 15 docs, 55.9 Logical Replication Message Formats).
/// Reading past the end throws instead of trapping: the bytes come from the network.
struct PostgresMessageBytes {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    struct Truncated: Error {}

    init(_ bytes: UnsafeRawBufferPointer, from offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func uint8() throws -> UInt8 {
        guard remaining >= 1 else { throw Truncated() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16() throws -> UInt16 { UInt16(try integer(2)) }
    mutating func uint32() throws -> UInt32 { UInt32(try integer(4)) }
    mutating func uint64() throws -> UInt64 { try integer(8) }

    private mutating func integer(_ size: Int) throws -> UInt64 {
        guard remaining >= size else { throw Truncated() }
        var value: UInt64 = 0
        for i in 0..<size { value = value << 8 | UInt64(bytes[offset + i]) }
        offset += size
        return value
    }

    mutating func string() throws -> String {
        guard let end = bytes[offset...].firstIndex(of: 0) else { throw Truncated() }
        defer { offset = end + 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
    }

    /// `count` bytes, in place.
    mutating func slice(_ count: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard count >= 0, remaining >= count else { throw Truncated() }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]).assumingMemoryBound(to: UInt8.self)
    }

    /// Appends `value` big-endian, for the status updates the client sends.
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
