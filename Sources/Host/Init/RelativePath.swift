import Foundation

/// Paths the way a config names them: relative to the config's directory, which is how the
/// loader resolves them, so a starter config keeps working wherever it is written.
enum RelativePath {
    /// `path` made absolute against `directory` (the current one when nil), `.` and `..` folded.
    static func absolute(_ path: String, in directory: String? = nil) -> String {
        let base = directory ?? FileManager.default.currentDirectoryPath
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") where part != "." {
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else {
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `path` (absolute) as seen from `directory` (absolute): `../x/y`, or `.` for the directory
    /// itself. A path under / only (nothing shared but the root) stays absolute.
    static func relative(_ path: String, from directory: String) -> String {
        let target = path.split(separator: "/")
        let base = directory.split(separator: "/")
        var shared = 0
        while shared < target.count, shared < base.count, target[shared] == base[shared] { shared += 1 }
        if shared == 0 { return path }
        let up = Array(repeating: "..", count: base.count - shared)
        let down = target[shared...].map(String.init)
        let parts = up + down
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
