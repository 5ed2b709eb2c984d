import Foundation
import SIEMCore

/// Expands `${env:NAME}` and `${file:/path}` in config values, so secrets never sit in a config.
///
/// The expanded value is used in memory only; nothing here logs it, and errors name the
/// reference (`${env:HEC_TOKEN}`), never its value. `${file:…}` drops one trailing newline, as
/// secret files written by `echo` or mounted by Kubernetes carry one.
public struct SecretReference {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unsetVariable(String)
        case unreadableFile(String, String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unsetVariable(let name): return "${env:\(name)} is not set in the environment"
            case .unreadableFile(let path, let why): return "${file:\(path)} cannot be read: \(why)"
            case .malformed(let text): return "malformed reference '\(text)' (use ${env:NAME} or ${file:PATH})"
            }
        }
    }

    public var environment: [String: String]
    public var baseDirectory: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, baseDirectory: String) {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    /// `text` with every reference replaced; text without `${` is returned as is.
    public func expand(_ text: String) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw .malformed(String(rest[start.lowerBound...]))
            }
            let body = rest[start.upperBound..<end]
            result += try resolve(body)
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    private func resolve(_ body: Substring) throws(Failure) -> String {
        if body.hasPrefix("env:") {
            let name = String(body.dropFirst(4))
            guard !name.isEmpty else { throw .malformed("${\(body)}") }
            guard let value = environment[name] else { throw .unsetVariable(name) }
            return value
        }
        if body.hasPrefix("file:") {
            var path = String(body.dropFirst(5))
            guard !path.isEmpty else { throw .malformed("${\(body)}") }
            if !path.hasPrefix("/") { path = PluginContext(baseDirectory: baseDirectory).resolve(path: path) }
            guard let data = FileManager.default.contents(atPath: path) else {
                let why = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
                throw .unreadableFile(path, why)
            }
            var value = String(decoding: data, as: UTF8.self)
            // "\r\n" is one Character in Swift, so one removeLast drops either line ending.
            if value.hasSuffix("\n") || value.hasSuffix("\r\n") { value.removeLast() }
            return value
        }
        throw .malformed("${\(body)}")
    }
}
