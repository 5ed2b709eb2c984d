#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The growable byte buffer under `RecordWriter`: a malloc'd block written through a pointer.
///
/// `[UInt8].append` pays a uniqueness check and a capacity check per call; a formatter makes
/// dozens of small appends per event, so this buffer does one capacity check and a `memcpy`.
@usableFromInline
final class RecordBuffer: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    @usableFromInline
    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(base) }

    @usableFromInline
    func grow(toAtLeast minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        base = realloc(base, newCapacity)!.assumingMemoryBound(to: UInt8.self)
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toAtLeast: count + extra) }
    }

    @inlinable @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inlinable @inline(__always)
    func append(_ source: UnsafeRawPointer, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
    }

    @inlinable
    func append(_ source: UnsafeBufferPointer<UInt8>) {
        guard let address = source.baseAddress else { return }
        append(UnsafeRawPointer(address), count: source.count)
    }

    @inlinable
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
