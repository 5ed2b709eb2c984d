import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard input as a JSON-lines source: read once, to its end, never rotated or resumed.
///
/// A stream cannot be read again, so there is nothing to resume: each run's stream is new. Its
/// ids continue where the last stream's ended (kept in the state file as `stream.end`), so they
/// stay unique across runs into one index, and every checkpoint of an earlier stream is below
/// them (no line of a new stream is ever skipped as delivered). Lines an interrupted run did not
/// deliver are gone with its stream.
final class StandardInputStream: @unchecked Sendable {
    // Unchecked: used by the source's thread and then by one reader thread, never at once.
    static let endKey = "stream.end"
    private let descriptor: Int32
    private var state: (any SourceStateStore)?
    /// Where this run's stream starts, once it is opened.
    private(set) var base: Int64?
    /// The logical offset just past what was handed out.
    private(set) var end: Int64 = 0
    private(set) var opened = false

    init(descriptor: Int32 = 0) {
        self.descriptor = descriptor
    }

    func attach(_ state: any SourceStateStore) {
        self.state = state
    }

    /// Before the stream is read: where the last one ended (nil for the first ever), which no
    /// checkpoint is past. After: how far this one has come.
    func endPosition() throws -> SourcePosition? {
        if base != nil { return SourcePosition(id: end) }
        let stored = try storedEnd()
        return stored > 0 ? SourcePosition(id: stored) : nil
    }

    private func storedEnd() throws -> Int64 {
        guard let text = try state?.value(forKey: Self.endKey) else { return 0 }
        guard let value = Int64(text), value >= 0 else {
            throw SIEMError.source(path: "-", message: "the state file's '\(Self.endKey)' is not an offset ('\(text)')")
        }
        return value
    }

    /// The stream's one reading, from where the last stream ended; nil when it was read already.
    func claim() throws -> Int64? {
        guard !opened else { return nil }
        opened = true
        let start = try storedEnd()
        base = start
        end = start
        return start
    }

    /// Records how far the stream has been handed out, durably, before the rows go on.
    func record(end: Int64) throws {
        self.end = end
        try state?.set(String(end), forKey: Self.endKey)
    }

    /// Reads what is there; with `mayWait` false, nil when nothing arrives within a moment, so a
    /// slow writer's lines are not held back until a batch is full.
    func read(into buffer: UnsafeMutableRawBufferPointer, mayWait: Bool) throws -> Int? {
        if !mayWait {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 100) == 0 { return nil }
        }
        while true {
            let count = systemRead(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw SIEMError.source(
                path: "-", message: "cannot read standard input: \(String(cString: strerror(errno)))")
        }
    }
}

/// `read(2)`, which the method above shadows.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}
