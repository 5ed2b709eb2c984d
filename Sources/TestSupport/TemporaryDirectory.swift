import Foundation

/// A fresh directory under the system's temporary directory, removed with everything in it when
/// the last reference goes: test runs leave nothing behind in /tmp. Keep it (or what holds it) in
/// a variable for as long as its paths are used. Tests write files with `atomically: false`:
/// Foundation on Linux leaves a `TemporaryDirectory.XXXXXX` folder behind per atomic write.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func appending(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}
