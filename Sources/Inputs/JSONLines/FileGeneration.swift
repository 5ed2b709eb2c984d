/// One file a followed path has had, in the order they came: the first file, then each file
/// rotation or truncation put in its place.
///
/// Row ids are logical offsets over this chain: a line's id is `start` plus the offset just past
/// its newline in its file, and each generation starts where the one before ended, so ids only
/// grow across rotation and the same line gets the same id whenever it is read again.
struct FileGeneration: Equatable {
    /// 1 for the first file, counting up.
    var number: Int
    /// The logical offset of its byte 0.
    var start: Int64
    var device: UInt64
    var inode: UInt64
    var fingerprint: FileFingerprint
    /// Its bytes known to end with a whole line (a blank tail not counted); a finished file's
    /// whole size. No id of this file is above `start + extent`.
    var extent: Int64
    /// Where reading it began (`start_at: end` skips what the first file held); 0 otherwise.
    var readFrom: Int64 = 0
    /// Its modification time when `extent` last moved, in nanoseconds since 1970: files rotated
    /// while the exporter was stopped are the ones modified after it.
    var modifiedNanos: Int64

    /// The logical offset it ends at (so far).
    var end: Int64 { start + extent }

    /// The state store's key: zero-padded so the store's key order is the chain's order.
    var key: String { Self.key(number) }

    static let keyPrefix = "file."

    static func key(_ number: Int) -> String {
        let digits = String(number)
        return keyPrefix + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// `start=0 device=2049 inode=131 fingerprint=1024:9a3f… extent=5120 from=0 modified=…`.
    var stateValue: String {
        "start=\(start) device=\(device) inode=\(inode) fingerprint=\(fingerprint.length):"
            + String(fingerprint.hash, radix: 16) + " extent=\(extent) from=\(readFrom) modified=\(modifiedNanos)"
    }

    /// Reads `stateValue` back; nil for anything else (a value this version did not write).
    init?(number: Int, stateValue: String) {
        var fields: [Substring: Substring] = [:]
        for pair in stateValue.split(separator: " ") {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            fields[pair[..<equals]] = pair[pair.index(after: equals)...]
        }
        guard let start = fields["start"].flatMap({ Int64($0) }),
            let device = fields["device"].flatMap({ UInt64($0) }),
            let inode = fields["inode"].flatMap({ UInt64($0) }),
            let print = fields["fingerprint"]?.split(separator: ":"), print.count == 2,
            let length = Int(print[0]), let hash = UInt64(print[1], radix: 16),
            let extent = fields["extent"].flatMap({ Int64($0) }),
            let readFrom = fields["from"].flatMap({ Int64($0) }),
            let modified = fields["modified"].flatMap({ Int64($0) })
        else { return nil }
        self.init(
            number: number, start: start, device: device, inode: inode,
            fingerprint: FileFingerprint(length: length, hash: hash), extent: extent, readFrom: readFrom,
            modifiedNanos: modified)
    }

    init(
        number: Int, start: Int64, device: UInt64, inode: UInt64, fingerprint: FileFingerprint, extent: Int64,
        readFrom: Int64 = 0, modifiedNanos: Int64
    ) {
        self.number = number
        self.start = start
        self.device = device
        self.inode = inode
        self.fingerprint = fingerprint
        self.extent = extent
        self.readFrom = readFrom
        self.modifiedNanos = modifiedNanos
    }

    /// Whether `file` is this generation's own inode (renamed or not), still holding its bytes.
    func isHeld(by file: LogFile, status: LogFile.Status) throws -> Bool {
        guard file.device == device, file.inode == inode, status.size >= extent else { return false }
        return try fingerprint.matches(file)
    }

    /// Whether `file` is another inode holding a copy of this generation's bytes (what
    /// `copytruncate` leaves), at least as far as they were read.
    func isCopied(to file: LogFile, status: LogFile.Status) throws -> Bool {
        guard !(file.device == device && file.inode == inode), fingerprint.length > 0, status.size >= extent else {
            return false
        }
        return try fingerprint.matches(file)
    }
}
