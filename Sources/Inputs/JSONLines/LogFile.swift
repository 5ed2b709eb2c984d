import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One open file of a followed path, read with `pread` and never written.
///
/// Opened once and kept open while it is read, so a file renamed away by rotation (or deleted
/// while still open) is still the same bytes, as `tail -F` reads it.
final class LogFile: @unchecked Sendable {
    // Unchecked: every stored property is set once; `pread` and `fstat` on a descriptor are
    // safe from any thread.
    let descriptor: Int32
    /// Where it was opened (for messages): the followed path or a rotated name beside it.
    let path: String
    let device: UInt64
    let inode: UInt64

    /// What `fstat` says now.
    struct Status {
        var size: Int64
        /// Last modification, in nanoseconds since 1970.
        var modifiedNanos: Int64
    }

    /// Opens `path` for reading; nil when nothing is there. Anything else that stops it (no
    /// permission, not a regular file) throws, naming the path.
    init?(opening path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw SIEMError.source(path: path, message: "cannot open: \(String(cString: strerror(code)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw SIEMError.source(path: path, message: "not a regular file (a JSON-lines source reads a file or `-`)")
        }
        self.descriptor = descriptor
        self.path = path
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    deinit { close(descriptor) }

    var status: Status {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return Status(size: 0, modifiedNanos: 0) }
        #if canImport(Darwin)
            let modified = info.st_mtimespec
        #else
            let modified = info.st_mtim
        #endif
        return Status(
            size: Int64(info.st_size), modifiedNanos: Int64(modified.tv_sec) * 1_000_000_000 + Int64(modified.tv_nsec))
    }

    /// Whether `path` names this file now (no rotation renamed it away or put another there).
    func isNamed(by path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// Reads up to `buffer.count` bytes at `offset`; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw SIEMError.source(path: path, message: "cannot read: \(String(cString: strerror(errno)))")
        }
    }

    /// The fingerprint of the file's first `length` bytes; nil when it is shorter.
    func fingerprint(length: Int) throws -> FileFingerprint? {
        var bytes = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = try bytes.withUnsafeMutableBytes { buffer in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), at: Int64(filled))
            }
            if count == 0 { return nil }
            filled += count
        }
        return FileFingerprint(bytes)
    }

    /// The first bytes, up to `limit` (for a compressed file's magic number).
    func head(_ limit: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: limit)
        let count = try bytes.withUnsafeMutableBytes { try read(into: $0, at: 0) }
        return Array(bytes.prefix(count))
    }
}

/// What tells one file's bytes from another's when names and inodes cannot: a hash of its first
/// bytes (up to `maximumLength`), as Vector's `checksum` fingerprint does, so an inode the
/// system reuses for a new file, or a copy `copytruncate` made, is recognised for what it is.
struct FileFingerprint: Equatable {
    static let maximumLength = 1_024

    /// How many first bytes it covers (fewer while the file was shorter).
    var length: Int
    /// FNV-1a, 64 bits, over those bytes. Not a defence against someone who can write files
    /// into the log directory (who can forge the log anyway), only against coincidence.
    var hash: UInt64

    init(length: Int, hash: UInt64) {
        self.length = length
        self.hash = hash
    }

    init(_ bytes: [UInt8]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        self.init(length: bytes.count, hash: hash)
    }

    static let empty = FileFingerprint([])

    /// Whether `file` starts with the bytes this was taken of.
    func matches(_ file: LogFile) throws -> Bool {
        try file.fingerprint(length: length) == self
    }
}
