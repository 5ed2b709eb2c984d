import Foundation
import SIEMCore

/// Expands `${env:NAME}`, `${env:NAME:-DEFAULT}` and `${file:/path}` in config values, so secrets
/// never sit in a config.
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
            case .malformed(let text):
                return "malformed reference '\(text)' (use ${env:NAME}, ${env:NAME:-DEFAULT} or ${file:PATH})"
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
            guard let end = Self.closingBrace(of: rest[start.upperBound...]) else {
                throw .malformed(String(rest[start.lowerBound...]))
            }
            let body = rest[start.upperBound..<end]
            result += try resolve(body)
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// Whether `text` gives a reference a fallback (`${env:NAME:-…}`): a value written in the
    /// config after all, which a credential may not have.
    public static func hasDefault(_ text: String) -> Bool {
        text.contains("${env:") && text.contains(":-")
    }

    /// The `}` that closes a reference whose body starts at `text`, past references nested in a default.
    private static func closingBrace(of text: Substring) -> Substring.Index? {
        var depth = 0
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "$", text[text.index(after: index)...].hasPrefix("{") {
                depth += 1
                index = text.index(index, offsetBy: 2)
                continue
            }
            if text[index] == "}" {
                if depth == 0 { return index }
                depth -= 1
            }
            index = text.index(after: index)
        }
        return nil
    }

    private func resolve(_ body: Substring) throws(Failure) -> String {
        if body.hasPrefix("env:") {
            // `${env:NAME:-DEFAULT}`, as in the OpenTelemetry Collector and POSIX shells: DEFAULT
            // (itself expanded) when NAME is unset or empty, so a sample config names its
            // production path and a test or a unit can point it elsewhere.
            let reference = body.dropFirst(4)
            let separator = reference.range(of: ":-")
            let name = String(separator.map { reference[..<$0.lowerBound] } ?? reference)
            guard !name.isEmpty else { throw .malformed("${\(body)}") }
            if let separator {
                if let value = environment[name], !value.isEmpty { return value }
                return try expand(String(reference[separator.upperBound...]))
            }
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
