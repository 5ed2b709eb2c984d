import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-batch writes to a file descriptor that never leave half a line behind.
///
/// A batch is written with as many `write(2)` calls as it takes, then `fsync(2)`; if any of that
/// fails (a full disk, an I/O error) a regular file is truncated back to its size before the
/// batch, so a forwarder tailing it never reads a partial record, and the error is thrown so the
/// checkpoint does not advance.
struct FileDescriptorOutput: Sendable {
    let fd: Int32
    let name: String
    let isRegularFile: Bool
    /// Standard output: a reader closing it (EPIPE) ends the command quietly.
    let isStandardOutput: Bool

    init(fd: Int32, name: String, isStandardOutput: Bool = false) {
        self.fd = fd
        self.name = name
        self.isStandardOutput = isStandardOutput
        var info = stat()
        isRegularFile = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    func writeBatch(_ bytes: [UInt8], sync: Bool) throws {
        try writeBatch(pieces: [bytes[...]], sync: sync)
    }

    /// Writes `pieces` one after another as one batch: all of it, or (on a regular file) nothing.
    func writeBatch(pieces: [ArraySlice<UInt8>], sync: Bool) throws {
        let sizeBefore: off_t = isRegularFile ? lseek(fd, 0, SEEK_END) : -1
        do {
            var pieces = pieces
            if isRegularFile, Failpoint.stopsMidWrite(of: name), let first = pieces.first, first.count > 1 {
                // A test stops the process here and kills it: half a batch written, as a crash
                // between two write(2) calls of one batch would leave it.
                let half = first.startIndex + first.count / 2
                try write(first[..<half])
                Failpoint.stop()
                pieces[0] = first[half...]
            }
            for piece in pieces { try write(piece) }
            if sync && isRegularFile && fsync(fd) != 0 {
                throw SIEMError.output(path: name, message: "fsync failed: \(Self.describeErrno())")
            }
        } catch {
            if isRegularFile && sizeBefore >= 0 { _ = ftruncate(fd, sizeBefore) }
            throw error
        }
    }

    /// Cuts a regular file back to the end of its last complete line, so what a killed writer
    /// left half-written is neither read by a forwarder nor continued by the next run's first
    /// record. Returns how many bytes were cut (0 when the file ends with a newline or is empty).
    func repairTornTail() throws -> Int {
        guard isRegularFile else { return 0 }
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return 0 }
        var chunk = [UInt8](repeating: 0, count: 64 * 1_024)
        var end = size
        while end > 0 {
            let start = max(0, end - off_t(chunk.count))
            let count = Int(end - start)
            let read = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, start) }
            guard read == count else {
                throw SIEMError.output(path: name, message: "cannot read its end: \(Self.describeErrno())")
            }
            if end == size && chunk[count - 1] == 0x0A { return 0 }
            if let newline = chunk[0..<count].lastIndex(of: 0x0A) {
                return try truncate(to: start + off_t(newline) + 1, from: size)
            }
            end = start
        }
        return try truncate(to: 0, from: size)
    }

    private func truncate(to length: off_t, from size: off_t) throws -> Int {
        guard ftruncate(fd, length) == 0, fsync(fd) == 0 else {
            throw SIEMError.output(path: name, message: "cannot cut off a torn last line: \(Self.describeErrno())")
        }
        return Int(size - length)
    }

    /// All of `piece`, in as many `write(2)` calls as it takes.
    private func write(_ piece: ArraySlice<UInt8>) throws {
        try piece.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE && isStandardOutput { throw StandardOutputClosed() }
                    throw SIEMError.output(path: name, message: "write failed: \(Self.describeErrno())")
                }
                offset += n
            }
        }
    }

    func closeDescriptor() { _ = close(fd) }

    static func describeErrno() -> String { String(cString: strerror(errno)) }
}
