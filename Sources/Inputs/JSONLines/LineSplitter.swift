import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Cuts a run of bytes (a file from one offset to another, or standard input to its end) into
/// lines, holding at most about `maxLineBytes` in memory however long a line is.
///
/// Only lines that end with a newline are handed out, unless the bytes are `final` (a rotated
/// file that is finished, standard input at its end): a writer's torn last line is never read
/// half. A line longer than `maxLineBytes` is skipped through in chunks and handed out as
/// `oversized` with its first bytes, so it can be dead-lettered without being held whole.
final class LineSplitter {
    enum Piece {
        /// A line's bytes without its newline (valid until the next call), and where it lies:
        /// `start` is its first byte, `end` the offset just past its newline.
        case line(UnsafeBufferPointer<UInt8>, start: Int64, end: Int64)
        /// A line over the limit: its first bytes, its length (newline not counted) and place.
        case oversized(sample: [UInt8], length: Int64, start: Int64, end: Int64)
        /// Nothing more is ready now (standard input, with rows already in the batch).
        case later
    }

    /// Reads into the buffer at an offset; nil when nothing is ready yet and `mayWait` is false,
    /// 0 at the end.
    typealias Read = (_ into: UnsafeMutableRawBufferPointer, _ at: Int64, _ mayWait: Bool) throws -> Int?

    private let read: Read
    private let end: Int64?
    private let final: Bool
    let maxLineBytes: Int
    private var buffer: UnsafeMutableRawBufferPointer
    /// Unconsumed bytes are `buffer[head..<tail]`; `offset` is where `buffer[head]` lies.
    private var head = 0
    private var tail = 0
    private var offset: Int64
    /// Where the search for a newline resumes (bytes before it in the window hold none).
    private var searched = 0
    private var exhausted = false

    /// Reads from `start` up to `end` (nil: until `read` says 0).
    init(from start: Int64, to end: Int64?, final: Bool, maxLineBytes: Int, read: @escaping Read) {
        self.read = read
        self.end = end
        self.final = final
        self.maxLineBytes = maxLineBytes
        offset = start
        buffer = .allocate(byteCount: min(64 * 1024, maxLineBytes + 1), alignment: 1)
    }

    deinit { buffer.deallocate() }

    /// The offset just past everything handed out so far.
    var position: Int64 { offset }

    /// The next line; nil once the bytes are used up (a torn last line left unread).
    func next(mayWait: Bool) throws -> Piece? {
        while true {
            if let newline = findNewline() {
                let length = newline - head
                let start = offset
                let lineEnd = offset + Int64(length) + 1
                if length > maxLineBytes {
                    let sample = Array(
                        UnsafeRawBufferPointer(rebasing: buffer[head..<head + min(length, UnreadableRow.sampleLimit)]))
                    consume(length + 1)
                    return .oversized(sample: sample, length: Int64(length), start: start, end: lineEnd)
                }
                let line = UnsafeBufferPointer(start: base + head, count: length)
                consume(length + 1)
                return .line(line, start: start, end: lineEnd)
            }
            let pending = tail - head
            if pending > maxLineBytes { return try skipOversized() }
            if exhausted {
                guard final, pending > 0 else { return nil }
                let start = offset
                let line = UnsafeBufferPointer(start: base + head, count: pending)
                consume(pending)
                return .line(line, start: start, end: offset)
            }
            guard try fill(mayWait: mayWait) else { return .later }
        }
    }

    private var base: UnsafeMutablePointer<UInt8> { buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) }

    private func findNewline() -> Int? {
        guard searched < tail else { return nil }
        guard let found = memchr(base + searched, 0x0A, tail - searched) else {
            searched = tail
            return nil
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private func consume(_ count: Int) {
        head += count
        offset += Int64(count)
        searched = head
    }

    /// Reads more after `tail`, making room first; false when nothing is ready yet.
    private func fill(mayWait: Bool) throws -> Bool {
        if head > 0 {
            let pending = tail - head
            if pending > 0 { memmove(buffer.baseAddress!, base + head, pending) }
            searched -= head
            tail = pending
            head = 0
        }
        if tail == buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(
                byteCount: min(buffer.count * 2, maxLineBytes + 64 * 1024), alignment: 1)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<tail]))
            buffer.deallocate()
            buffer = grown
        }
        var room = buffer.count - tail
        let at = offset + Int64(tail)
        if let end {
            room = Int(min(Int64(room), end - at))
            guard room > 0 else {
                exhausted = true
                return true
            }
        }
        guard let count = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[tail..<tail + room]), at, mayWait)
        else { return false }
        if count == 0 { exhausted = true }
        tail += count
        return true
    }

    /// Reads through a line over the limit without keeping it, up to its newline. Without one
    /// before the end, a live file's line is left for later (nothing is handed out); a final one
    /// is handed out as it is.
    private func skipOversized() throws -> Piece? {
        let start = offset
        var sample = Array(UnsafeRawBufferPointer(rebasing: buffer[head..<min(tail, head + UnreadableRow.sampleLimit)]))
        var length = Int64(tail - head)
        var at = offset + length
        head = 0
        tail = 0
        searched = 0
        while true {
            var room = buffer.count
            if let end { room = Int(min(Int64(room), end - at)) }
            let count =
                room <= 0 ? 0 : try read(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<room]), at, true) ?? 0
            if count == 0 {
                exhausted = true
                guard final else { return nil }
                offset = at
                return .oversized(sample: sample, length: length, start: start, end: at)
            }
            let newline = memchr(base, 0x0A, count).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
            if sample.count < UnreadableRow.sampleLimit {
                let wanted = min(newline ?? count, UnreadableRow.sampleLimit - sample.count)
                sample.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<wanted]))
            }
            if let newline {
                length += Int64(newline)
                at += Int64(newline) + 1
                // The bytes after the newline are the next lines: they stay.
                head = newline + 1
                tail = count
                searched = head
                offset = at
                return .oversized(sample: sample, length: length, start: start, end: at)
            }
            length += Int64(count)
            at += Int64(count)
        }
    }
}
