import Foundation

/// CEF lines checked against the ArcSight extension dictionary, not against our own reading of
/// it: scripts/check-cef.py splits and unescapes each line by the standard's rules and checks
/// every key (a producer key of the dictionary, none twice), every value's type and length (IPv4
/// only in `src`/`dst`, IPv6 in `c6a1`–`c6a4`, ports, longs, timestamps, strings within their
/// length in bytes), the header's lengths and severity, and custom fields paired with labels.
public enum CEFDictionaryCheck {
    public struct Result: Decodable, Sendable {
        public var lines: Int
        public var failures: Int
    }

    /// Runs the check over files of CEF lines; the result, and the problems found (`FILE:LINE: …`).
    public static func check(_ paths: [String]) throws -> (Result?, String) {
        let script = RepositoryPaths.root.appendingPathComponent("scripts/check-cef.py").path
        let result = try ExternalTool.run(["python3", script] + paths)
        return (try? JSONDecoder().decode(Result.self, from: result.stdout), result.stderr)
    }
}
