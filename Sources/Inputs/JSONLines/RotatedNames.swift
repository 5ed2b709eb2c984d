#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The names beside a followed file that rotation may have moved or copied it to: logrotate's
/// `app.log.1` and `app.log-20240501` (`dateext`) by default, or the `rotated:` patterns. Only
/// the file's own directory is looked in, and compressed files are never candidates (their
/// bytes are not the lines any more).
struct RotatedNames {
    let directory: String
    /// `fnmatch(3)` patterns for names in `directory`.
    let patterns: [String]
    /// The followed file's own name, which is never a rotated one.
    let ownName: String

    static let compressedSuffixes = [".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4", ".Z", ".br", ".7z"]
    /// gzip, bzip2, xz, zstd, zip: a candidate starting so is a compressed file whatever its name.
    static let compressedMagic: [[UInt8]] = [
        [0x1F, 0x8B], [0x42, 0x5A, 0x68], [0xFD, 0x37, 0x7A, 0x58, 0x5A], [0x28, 0xB5, 0x2F, 0xFD],
        [0x50, 0x4B, 0x03, 0x04],
    ]

    /// `patterns` empty: `<name>.*` and `<name>-*`.
    init(path: String, patterns: [String]) {
        let slash = path.lastIndex(of: "/")
        directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        ownName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        self.patterns = patterns.isEmpty ? Self.defaultPatterns(for: ownName) : patterns
    }

    static func defaultPatterns(for name: String) -> [String] {
        let escaped = name.map { "*?[\\".contains($0) ? "\\\($0)" : String($0) }.joined()
        return [escaped + ".*", escaped + "-*"]
    }

    /// The paths of the directory's entries whose names match, in name order.
    func paths() -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard name != ".", name != "..", name != ownName,
                !Self.compressedSuffixes.contains(where: { name.hasSuffix($0) }),
                patterns.contains(where: { fnmatch($0, name, 0) == 0 })
            else { continue }
            names.append(name)
        }
        return names.sorted().map { directory == "/" ? "/" + $0 : directory + "/" + $0 }
    }

    /// For files modified at the same moment: `app.log.2` is older than `app.log.1` (logrotate
    /// counts up as files age), `app.log-20240501` older than `app.log-20240502`.
    static func isOlder(_ a: String, than b: String) -> Bool {
        func split(_ path: String) -> (stem: Substring, number: Int)? {
            guard let dot = path.lastIndex(of: "."), let number = Int(path[path.index(after: dot)...]) else {
                return nil
            }
            return (path[..<dot], number)
        }
        if let x = split(a), let y = split(b), x.stem == y.stem { return x.number > y.number }
        return a < b
    }

    /// Each candidate's name with the file it names (device and inode): what a rotation changes.
    struct Identity: Equatable {
        let path: String
        let device: UInt64
        let inode: UInt64
    }

    func identities() -> [Identity] {
        paths().compactMap { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            return Identity(path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        }
    }

    /// Opens each candidate that is a readable, uncompressed regular file. The names are listed
    /// again after opening, until nothing was renamed meanwhile (a few tries): logrotate shifts
    /// `app.log.2` to `app.log.3` and `app.log.1` to `app.log.2` one rename at a time, and a file
    /// moved under a name already passed would be missed.
    func files() -> [LogFile] {
        var opened: [LogFile] = []
        for _ in 0..<5 {
            let names = paths()
            opened = names.compactMap { path in
                guard let file = try? LogFile(opening: path), let head = try? file.head(8) else { return nil }
                return Self.compressedMagic.contains(where: { head.starts(with: $0) }) ? nil : file
            }
            if paths() == names, opened.allSatisfy({ $0.isNamed(by: $0.path) }) { return opened }
        }
        return opened
    }
}
