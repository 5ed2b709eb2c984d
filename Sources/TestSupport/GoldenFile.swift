import Foundation

/// Byte-for-byte comparison against files under `Tests/Golden/`, driven by `SIEM_GOLDEN`:
/// `verify` (default, CI) compares; `missing` writes only absent files; `all` rewrites every file
/// and still fails, so nobody records by accident. A mismatch leaves the actual bytes under
/// `.build/golden-actual/` for `diff`.
public enum GoldenFile {
    public enum Mode: String, Sendable { case verify, missing, all }

    public static var mode: Mode {
        Mode(rawValue: ProcessInfo.processInfo.environment["SIEM_GOLDEN"] ?? "verify") ?? .verify
    }

    public static var goldenRoot: URL { RepositoryPaths.root.appendingPathComponent("Tests/Golden") }

    /// Compares `actual` with `Tests/Golden/<relativePath>`; returns a failure message, or nil.
    public static func check(_ actual: [UInt8], relativePath: String, mode: Mode = GoldenFile.mode) -> String? {
        let url = goldenRoot.appendingPathComponent(relativePath)
        let expected = FileManager.default.contents(atPath: url.path).map { [UInt8]($0) }
        switch (mode, expected) {
        case (.all, _), (.missing, nil):
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(actual).write(to: url)
            } catch {
                return "cannot write \(relativePath): \(error)"
            }
            return mode == .all
                ? "rewrote \(relativePath) (SIEM_GOLDEN=all always fails; review `git diff -- Tests/Golden`)" : nil
        case (_, nil):
            return "no golden file Tests/Golden/\(relativePath); record it with SIEM_GOLDEN=missing and review it"
        case (_, let expected?):
            if expected == actual { return nil }
            let actualURL = RepositoryPaths.root.appendingPathComponent(".build/golden-actual/\(relativePath)")
            try? FileManager.default.createDirectory(
                at: actualURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? Data(actual).write(to: actualURL)
            return "output differs from Tests/Golden/\(relativePath) — a changed output needs a new schema version "
                + "(docs/SCHEMAS.md)\n" + describeDifference(expected: expected, actual: actual)
                + "\nactual bytes: \(actualURL.path)"
        }
    }

    static func describeDifference(expected: [UInt8], actual: [UInt8]) -> String {
        let offset =
            zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(expected.count, actual.count)
        func excerpt(_ bytes: [UInt8]) -> String {
            let start = max(0, offset - 40)
            let end = min(bytes.count, offset + 40)
            return String(decoding: bytes[start..<end], as: UTF8.self).debugDescription
        }
        return "first difference at byte \(offset):\n- expected …\(excerpt(expected))…\n+ actual   …\(excerpt(actual))…"
    }
}
