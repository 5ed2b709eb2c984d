/// Finding files for a `FileChain`: where a generation's bytes are now (its own inode under any
/// name, or a copy `copytruncate` made), and which file beside it comes next.
///
/// Names alone cannot say it (logrotate renames every file at each rotation) and modification
/// times alone cannot either (a tick can stamp several files alike): a file is known by its inode
/// and first bytes, and of several that could be the one, the first made since is taken.
extension FileChain {
    /// Where `generation`'s bytes are now: its own open file while that still holds them, else a
    /// rotated name holding its inode, else one holding a copy.
    func locate(
        _ generation: FileGeneration, excluding present: LogFile? = nil
    ) throws -> (file: LogFile, status: LogFile.Status)? {
        if let file = files[generation.number], try generation.isHeld(by: file, status: file.status) {
            return try earlierCopy(of: generation, rewrittenAs: file) ?? (file, file.status)
        }
        var copies: [(file: LogFile, status: LogFile.Status)] = []
        for file in rotated.files() + [try LogFile(opening: path)].compactMap({ $0 }) {
            if let present, file.device == present.device, file.inode == present.inode { continue }
            let status = file.status
            if try generation.isHeld(by: file, status: status) {
                return try earlierCopy(of: generation, rewrittenAs: file) ?? (file, status)
            }
            if status.modifiedNanos >= generation.modifiedNanos, try generation.isCopied(to: file, status: status),
                try !isKnown(file, besides: generation)
            {
                copies.append((file, status))
            }
        }
        // A copy is made after the last write it holds; of several that start alike (a short
        // fingerprint), the first one made since, as in `earlierCopy`.
        return Self.oldest(copies)
    }

    /// A file whose first bytes were few at the last look (a new, nearly empty file) cannot tell
    /// by them alone whether it was cut and written anew since: a copy beside it made since then
    /// (`copytruncate` while the exporter was away), whose bytes differ from the file's own past
    /// what the fingerprint covers, says it was, and holds what was read of it.
    func earlierCopy(
        of generation: FileGeneration, rewrittenAs present: LogFile
    ) throws -> (file: LogFile, status: LogFile.Status)? {
        let size = present.status.size
        guard generation.fingerprint.length < FileFingerprint.maximumLength,
            size > Int64(generation.fingerprint.length)
        else { return nil }
        let head = try present.head(FileFingerprint.maximumLength)
        var copies: [(file: LogFile, status: LogFile.Status)] = []
        for file in rotated.files() where !(file.device == present.device && file.inode == present.inode) {
            let status = file.status
            guard status.modifiedNanos >= generation.modifiedNanos, status.size >= generation.extent,
                try generation.fingerprint.matches(file), try !isKnown(file, besides: generation)
            else { continue }
            let copied = try file.head(FileFingerprint.maximumLength)
            let common = min(copied.count, head.count)
            if common > generation.fingerprint.length, copied[..<common] != head[..<common] {
                copies.append((file, status))
            }
        }
        // The first copy made since: later ones beside it (rotations since, while the exporter was
        // away) are of the files that came after it, which the few bytes cannot tell apart.
        return Self.oldest(copies)
    }

    /// The file modified first; of files modified at the same tick, the one rotated longer ago.
    static func oldest(
        _ files: [(file: LogFile, status: LogFile.Status)]
    ) -> (file: LogFile, status: LogFile.Status)? {
        files.min { a, b in
            a.status.modifiedNanos != b.status.modifiedNanos
                ? a.status.modifiedNanos < b.status.modifiedNanos : RotatedNames.isOlder(a.file.path, than: b.file.path)
        }
    }

    /// Whether `file` holds the bytes of a generation other than `generation`: it is that
    /// generation's inode with its first bytes, or a copy whose first bytes the generation's
    /// fingerprint covers whole (a short fingerprint says nothing of a longer file: every line of
    /// a log may start alike).
    func isKnown(_ file: LogFile, besides generation: FileGeneration? = nil) throws -> Bool {
        let size = file.status.size
        for known in generations where known.number != generation?.number {
            let sameInode = known.device == file.device && known.inode == file.inode
            let coversItsStart =
                known.fingerprint.length > 0
                && Int64(known.fingerprint.length) == min(size, Int64(FileFingerprint.maximumLength))
            guard sameInode || coversItsStart else { continue }
            if try known.fingerprint.matches(file) { return true }
        }
        return false
    }

    /// The oldest rotated file modified after `reference` that is no generation known: one
    /// rotated in between while the exporter was stopped.
    func oldestUnknownFile(newerThan reference: Int64, excluding: [LogFile?]) throws -> LogFile? {
        let excluded = excluding.compactMap { $0 }
        var found: [(file: LogFile, status: LogFile.Status)] = []
        for file in rotated.files() {
            if excluded.contains(where: { $0.device == file.device && $0.inode == file.inode }) { continue }
            let status = file.status
            // Not newer-or-equal: a file system stamps times at a clock tick, so a file rotated
            // right after the last one was written may carry the very same time.
            guard status.size > 0, status.modifiedNanos >= reference else { continue }
            if try !isKnown(file) { found.append((file, status)) }
        }
        return Self.oldest(found)?.file
    }
}
