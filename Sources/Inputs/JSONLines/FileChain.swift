import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files a followed path has had (`FileGeneration`s), which of them are still to be read, and
/// where each is now, kept in the run's state file. Rotation and truncation are found here, at
/// the start of each round (`refresh`), never in the middle of a read.
///
/// The file at the path is the current generation while it is the same inode with the same first
/// bytes, no shorter than what was read of it. Otherwise the current one was renamed away, copied
/// and truncated (`copytruncate`), truncated, or removed: it is looked for (its open descriptor,
/// then the rotated names, by inode and fingerprint, or by fingerprint alone for a copy), read
/// to its end, and finished once nothing has written to it for `rotate_wait`; files rotated in
/// between (newer, not known) come next, oldest first; then the file at the path. A generation
/// that cannot be found is reported with the bytes that may be lost, never passed over silently.
final class FileChain {
    let path: String
    let rotated: RotatedNames
    let rotateWaitNanos: Int64
    let startAtEnd: Bool
    let warn: @Sendable (String) -> Void
    /// How many generations the state file keeps once they are read (a year of daily rotation
    /// would be 365 small rows): known files are never taken for new ones.
    static let keptGenerations = 64

    private var state: (any SourceStateStore)?
    private var loaded = false
    private(set) var generations: [FileGeneration] = []
    /// Open files by generation number: the current one and finished ones not yet read to the end.
    private(set) var files: [Int: LogFile] = [:]
    /// The size each file had at the last look (a torn tail included), for loss reports.
    private var lastSeenSize: [Int: Int64] = [:]
    /// Messages already given, so a waiting round does not repeat them.
    private var told: Set<String> = []
    /// For tests: a rotation at the worst moment of a look.
    var rotationPoint: ((RotationPoint) -> Void)?

    enum RotationPoint {
        /// The file at the path is open, the names beside it not yet listed.
        case afterOpeningThePath
        /// The next file is chosen by the names listed, its first bytes not yet taken.
        case afterChoosingTheNext
    }

    init(
        path: String, rotated: RotatedNames, rotateWaitMS: Int, startAtEnd: Bool,
        warn: @escaping @Sendable (String) -> Void
    ) {
        self.path = path
        self.rotated = rotated
        rotateWaitNanos = Int64(rotateWaitMS) * 1_000_000
        self.startAtEnd = startAtEnd
        self.warn = warn
    }

    func attach(_ state: any SourceStateStore) {
        self.state = state
        loaded = false
        generations = []
        files = [:]
    }

    var hasLooked: Bool { loaded && !generations.isEmpty }

    /// The position of the last line there is to read, nil before there is one.
    var endPosition: SourcePosition? {
        guard let last = generations.last else { return nil }
        if generations.count == 1 && last.extent <= last.readFrom { return nil }
        return SourcePosition(id: last.end)
    }

    // MARK: Looking at the path

    /// Looks at the path and the names beside it: moves the current generation's end to its last
    /// whole line, and finishes it for the next when it was rotated.
    func refresh() throws {
        try load()
        warnAboutWritesAfterFinishing()
        let present = try LogFile(opening: path)
        rotationPoint?(.afterOpeningThePath)
        if generations.isEmpty {
            guard let present else {
                throw SIEMError.source(
                    path: path, message: "no such file (a followed file must exist at the first read)")
            }
            let status = present.status
            let from = startAtEnd ? try Self.lastLineEnd(of: present, size: status.size, after: 0) : 0
            try register(
                FileGeneration(
                    number: 1, start: 0, device: present.device, inode: present.inode,
                    fingerprint: try Self.fingerprint(of: present, size: status.size), extent: from, readFrom: from,
                    modifiedNanos: status.modifiedNanos), file: present)
        }
        for _ in 0..<1_000 {
            var current = generations[generations.count - 1]
            let old: (file: LogFile, status: LogFile.Status)?
            if let present, case let status = present.status, try current.isHeld(by: present, status: status) {
                guard let copy = try earlierCopy(of: current, rewrittenAs: present) else {
                    try grow(current, in: present, heldAt: status)
                    return
                }
                old = copy
            } else {
                old = try locate(current, excluding: present)
            }
            if let old, current.fingerprint.length < FileFingerprint.maximumLength,
                old.status.size > Int64(current.fingerprint.length)
            {
                // Its first bytes as far as they go now, before other files are told from it: a
                // fingerprint taken while it was nearly empty would claim every file like it.
                current.fingerprint = try Self.fingerprint(of: old.file, size: old.status.size)
                generations[generations.count - 1].fingerprint = current.fingerprint
            }
            let reference = old?.status.modifiedNanos ?? current.modifiedNanos
            let names = rotated.identities()
            // The file at the path comes after every rotated one while it is still there; renamed
            // away since it was opened, it is one of them, and files rotated after it come later.
            let atThePath = present.flatMap { $0.isNamed(by: path) ? $0 : nil }
            let successor = try oldestUnknownFile(newerThan: reference, excluding: [atThePath, old?.file]) ?? present
            guard let successor else {
                // Nothing after it yet (the path is missing): what is left of it is still read.
                if let old {
                    try grow(current, in: old.file)
                } else {
                    tellOnce(
                        "\(path): the file being read (device \(current.device), inode \(current.inode)) is gone and no file named \(rotated.patterns.joined(separator: " or ")) in \(rotated.directory) holds its bytes; \(lossText(current)); waiting for a new file at the path"
                    )
                }
                return
            }
            if let old, old.file.device == current.device, old.file.inode == current.inode,
                old.status.modifiedNanos > Self.now() - rotateWaitNanos
            {
                // Renamed away but written to lately: the writer may not have reopened yet.
                try grow(current, in: old.file)
                return
            }
            rotationPoint?(.afterChoosingTheNext)
            let seen = try Self.look(at: successor)
            // Rotated meanwhile (`copytruncate` copying the file at the path away and cutting it
            // after the names were listed): its first bytes now would be those written after the
            // cut, and the copy, holding what came before, would pass for no file. Looked at
            // again, the copy is found.
            guard rotated.identities() == names else { continue }
            try finish(
                current, in: old,
                truncated: present.map { $0.device == current.device && $0.inode == current.inode } ?? false,
                successor: successor)
            try register(
                FileGeneration(
                    number: current.number + 1, start: generations[generations.count - 1].end,
                    device: successor.device, inode: successor.inode, fingerprint: seen.fingerprint, extent: 0,
                    modifiedNanos: seen.status.modifiedNanos), file: successor)
        }
        throw SIEMError.source(
            path: path, message: "rotation could not be followed (the chain of rotated files does not end)")
    }

    /// Fixes `current`'s end at its file's size (a last line without newline included) so the
    /// successor starts after it; or, with its bytes nowhere, at what was read, saying so.
    private func finish(
        _ current: FileGeneration, in old: (file: LogFile, status: LogFile.Status)?, truncated: Bool, successor: LogFile
    ) throws {
        var finished = current
        if let old {
            files[current.number] = old.file
            finished.extent = old.status.size
            finished.modifiedNanos = old.status.modifiedNanos
            // Over as many first bytes as it has: a fingerprint taken while it was nearly empty
            // would pass for every file that starts alike.
            finished.fingerprint = try Self.fingerprint(of: old.file, size: old.status.size)
        } else {
            files[current.number] = nil
            warn(
                "\(path): the file being read (device \(current.device), inode \(current.inode)) was \(truncated ? "truncated" : "replaced") and no file named \(rotated.patterns.joined(separator: " or ")) in \(rotated.directory) holds its bytes; \(lossText(current)); reading \(successor.path) from its start"
            )
        }
        try save(finished)
    }

    private func lossText(_ generation: FileGeneration) -> String {
        let seen = lastSeenSize[generation.number] ?? generation.extent
        return seen > generation.extent
            ? "\(seen - generation.extent) byte(s) after its offset \(generation.extent) were not read and may be lost"
            : "it had been read to its end (offset \(generation.extent)) when last seen; anything written after that may be lost"
    }

    /// Moves the current generation's end to its last whole line, and its fingerprint over more
    /// first bytes while it is shorter than `FileFingerprint.maximumLength`.
    private func grow(_ current: FileGeneration, in file: LogFile, heldAt held: LogFile.Status? = nil) throws {
        files[current.number] = file
        let status = file.status
        lastSeenSize[current.number] = status.size
        var grown = current
        if current.fingerprint.length < FileFingerprint.maximumLength, status.size > Int64(current.fingerprint.length) {
            grown.fingerprint = try Self.fingerprint(of: file, size: status.size)
        }
        let end = try Self.lastLineEnd(of: file, size: status.size, after: current.extent)
        if end > current.extent {
            grown.extent = end
            grown.modifiedNanos = status.modifiedNanos
        }
        // Cut (and written anew) while it was looked at: the next look finds it so. A log only
        // grows, so a smaller size than when it was found to be the same file says it was cut.
        guard file.status.size >= max(status.size, held?.size ?? 0), try current.fingerprint.matches(file),
            try grown.fingerprint.matches(file)
        else { return }
        if grown != current { try save(grown) }
    }

    /// A finished file that is still open and has grown: its writer kept writing after
    /// `rotate_wait`, and those bytes have no ids left. Said once per growth.
    private func warnAboutWritesAfterFinishing() {
        for generation in generations.dropLast() {
            guard let file = files[generation.number] else { continue }
            let size = file.status.size
            guard size > generation.extent, size > lastSeenSize[generation.number] ?? 0 else { continue }
            lastSeenSize[generation.number] = size
            warn(
                "\(name(of: file)): \(size - generation.extent) byte(s) were written after offset \(generation.extent), when the file had been finished for the next one, and are not exported; the writer kept the rotated file open longer than rotate_wait_ms (\(rotateWaitNanos / 1_000_000))"
            )
        }
    }

    /// The name `file` has now: where it was opened if that is still it, else the rotated name
    /// holding its inode.
    func name(of file: LogFile) -> String {
        if file.isNamed(by: file.path) { return file.path }
        for path in rotated.paths() + [self.path] where file.isNamed(by: path) { return path }
        return "\(file.path) (renamed or removed since it was opened)"
    }

    private func tellOnce(_ message: String) {
        if told.insert(message).inserted { warn(message) }
    }

    // MARK: What to read

    /// A stretch of one file to read.
    struct Segment {
        let file: LogFile
        /// The file's name now, for messages and dead letters.
        let name: String
        /// The logical offset of the file's byte 0.
        let start: Int64
        let from: Int64
        let to: Int64
        /// The file is finished: its last bytes are a line even without a newline.
        let isFinal: Bool
        /// For a file still written (the current one): its first bytes, to check after every read
        /// that it was not cut and written anew meanwhile (`copytruncate` while it is read).
        let fingerprint: FileFingerprint?
    }

    /// The files and offsets holding the lines after `after`, up to `through` (nil: as far as
    /// the last look found whole lines).
    func segments(after: SourcePosition, through: SourcePosition?) throws -> [Segment] {
        if !hasLooked { try refresh() }
        forget(before: after.id)
        let ceiling = through?.id ?? .max
        if let first = generations.first, first.number > 1, after.id < first.start {
            warn(
                "\(path): reading from offset \(after.id), before the oldest file still known (it starts at offset \(first.start)); the bytes in between are not read"
            )
        }
        var segments: [Segment] = []
        for (index, generation) in generations.enumerated() {
            guard generation.end > after.id, generation.start < ceiling else { continue }
            let from = max(after.id, generation.start + generation.readFrom) - generation.start
            let to = min(ceiling, generation.end) - generation.start
            guard to > from else { continue }
            guard let found = try locate(generation) else {
                tellOnce(
                    "\(path): the file that held offsets \(generation.start + from)..\(generation.start + to) (device \(generation.device), inode \(generation.inode)) cannot be found under \(rotated.patterns.joined(separator: " or ")) in \(rotated.directory); its \(to - from) unread byte(s) are lost"
                )
                continue
            }
            files[generation.number] = found.file
            let isLast = index == generations.count - 1
            segments.append(
                Segment(
                    file: found.file, name: name(of: found.file), start: generation.start, from: from, to: to,
                    isFinal: !isLast && to == generation.extent, fingerprint: isLast ? generation.fingerprint : nil))
        }
        return segments
    }

    /// Lets go of the files read to their end (but the last one finished, kept to notice writes
    /// after it was finished), and of the oldest records beyond `keptGenerations`.
    private func forget(before position: Int64) {
        for generation in generations.dropLast(2) where generation.end <= position {
            files[generation.number] = nil
        }
        while generations.count > Self.keptGenerations, generations[0].end <= position {
            try? state?.set(nil, forKey: generations[0].key)
            generations.removeFirst()
        }
    }

    // MARK: State

    private func load() throws {
        guard !loaded else { return }
        loaded = true
        guard let state else { return }
        var found: [FileGeneration] = []
        for (key, value) in try state.all() where key.hasPrefix(FileGeneration.keyPrefix) {
            guard let number = Int(key.dropFirst(FileGeneration.keyPrefix.count)),
                let generation = FileGeneration(number: number, stateValue: value)
            else {
                throw SIEMError.source(
                    path: path, message: "the state file's record '\(key)' of this file cannot be read ('\(value)')")
            }
            found.append(generation)
        }
        generations = found.sorted { $0.number < $1.number }
    }

    private func register(_ generation: FileGeneration, file: LogFile) throws {
        generations.append(generation)
        files[generation.number] = file
        try save(generation)
    }

    /// Records a generation before any of its lines is read past (the store writes durably).
    private func save(_ generation: FileGeneration) throws {
        if let index = generations.firstIndex(where: { $0.number == generation.number }) {
            generations[index] = generation
        }
        try state?.set(generation.stateValue, forKey: generation.key)
    }

    // MARK: Reading helpers

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// What `file` is now: its size and time, and its first bytes as far as that size goes.
    static func look(at file: LogFile) throws -> (status: LogFile.Status, fingerprint: FileFingerprint) {
        let status = file.status
        return (status, try fingerprint(of: file, size: status.size))
    }

    static func fingerprint(of file: LogFile, size: Int64) throws -> FileFingerprint {
        try file.fingerprint(length: Int(min(size, Int64(FileFingerprint.maximumLength)))) ?? .empty
    }

    /// The offset just past the last newline in `after..<size` that ends a line with more than
    /// blanks (spaces, tabs, CR, a byte-order mark) in it; `after` when there is none. Read
    /// backwards, so a long file costs one read.
    static func lastLineEnd(of file: LogFile, size: Int64, after floor: Int64) throws -> Int64 {
        guard size > floor else { return floor }
        let hasMark = try floor < 3 && file.head(3) == [0xEF, 0xBB, 0xBF]
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var upper = size
        var newline: Int64?
        while upper > floor {
            let lower = max(floor, upper - Int64(chunk.count))
            let wanted = Int(upper - lower)
            let count = try chunk.withUnsafeMutableBytes {
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<wanted]), at: lower)
            }
            guard count == wanted else { return floor }  // shrunk meanwhile: the next look sees it
            for i in stride(from: count - 1, through: 0, by: -1) {
                let byte = chunk[i]
                let offset = lower + Int64(i)
                if byte == 0x0A {
                    newline = offset
                } else if let newline, !(byte == 0x20 || byte == 0x09 || byte == 0x0D || (hasMark && offset < 3)) {
                    return newline + 1
                }
            }
            upper = lower
        }
        return floor
    }
}
