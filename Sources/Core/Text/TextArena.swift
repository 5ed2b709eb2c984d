#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One malloc'd block holding the text of a batch of rows, appended once and then only read.
///
/// A `String` per text column costs an allocation, a free and reference counting on every copy;
/// a batch of 1,000 registry rows has about 9,000 of them. Text is instead copied into one arena
/// per batch and referred to by `UTF8Text` ranges, which is what the reading thread's speed
/// rests on. An arena is filled by one thread and only read once handed over, and ranges are
/// offsets, so growing the block never invalidates them.
public final class TextArena: @unchecked Sendable {
    // Unchecked: dynamic exclusivity checks on these cost more than the copies they guard, and
    // the one-writer-then-readers contract above is what makes access safe.
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    public init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 16)
        base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(base) }

    /// How many bytes the arena holds: what a reader sizes its next arena by.
    public var byteCount: Int { count }

    /// Copies text in, repairing invalid UTF-8 to U+FFFD as `String(decoding:as:)` does, so a
    /// broken byte in the registry never costs the row (NUL bytes are kept).
    /// The text also records whether it needs JSON escaping, found in the same pass.
    public func append(utf8 source: UnsafeBufferPointer<UInt8>) -> UTF8Text {
        let (start, lengthAndPlain) = store(utf8: source)
        return UTF8Text(arena: self, start: start, lengthAndPlain: lengthAndPlain)
    }

    /// `append(utf8:)` without making the text: where it is, for a holder of the arena that makes
    /// the `UTF8Text` when it is read (`RowBatch`), so storing it counts no reference.
    func store(utf8 source: UnsafeBufferPointer<UInt8>) -> (start: Int, lengthAndPlain: UInt) {
        if case .valid(let plain) = UTF8Validation.scan(source) { return store(source, plain: plain) }
        var repaired = String(decoding: source, as: UTF8.self)
        return repaired.withUTF8 { store($0, plain: RecordWriter.nextEscape($0, from: 0) == $0.count) }
    }

    /// Copies bytes the caller knows are valid UTF-8.
    public func appendValidated(_ source: UnsafeBufferPointer<UInt8>) -> UTF8Text {
        append(source, plain: RecordWriter.nextEscape(source, from: 0) == source.count)
    }

    private func append(_ source: UnsafeBufferPointer<UInt8>, plain: Bool) -> UTF8Text {
        let (start, lengthAndPlain) = store(source, plain: plain)
        return UTF8Text(arena: self, start: start, lengthAndPlain: lengthAndPlain)
    }

    private func store(_ source: UnsafeBufferPointer<UInt8>, plain: Bool) -> (start: Int, lengthAndPlain: UInt) {
        let start = count
        if let address = source.baseAddress, source.count > 0 {
            reserve(source.count)
            (base + count).update(from: address, count: source.count)
            count += source.count
        }
        return (start, UTF8Text.pack(count: source.count, plain: plain))
    }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < count + extra { newCapacity *= 2 }
        base = realloc(base, newCapacity)!.assumingMemoryBound(to: UInt8.self)
        capacity = newCapacity
    }
}
