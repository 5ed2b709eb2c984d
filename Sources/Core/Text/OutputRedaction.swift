import Synchronization

/// The credentials of this process, removed from text where it leaves the process: the log
/// handler, standard error, the run summary, every dead-letter file and the metrics page.
///
/// Redacting at the outputs, not message by message, means no message can skip it: a receiver
/// that echoes a token in an error body, a proxy that quotes a header, a reason copied into a
/// dead-letter line — all pass through one of those outputs. The host registers every secret
/// the config holds (keys declared secret, credential headers); sinks register what they derive
/// or obtain at run time (a basic-auth header, an OAuth token). Each is also removed in the
/// forms it takes when quoted in JSON or in a URL.
public final class OutputRedaction: Sendable {
    public static let shared = OutputRedaction()

    /// What replaces a secret.
    public static let marker = "[redacted]"

    /// Longest first, so a secret that contains another is replaced whole.
    private let secrets = Mutex<[String]>([])

    public init() {}

    /// Adds `secret` (and its JSON-escaped and percent-encoded forms). Values shorter than 4
    /// bytes are ignored: they would mangle ordinary text and are no credential anyone uses.
    public func register(_ secret: String) {
        guard secret.utf8.count >= 4 else { return }
        let forms = Set([secret, Self.jsonEscaped(secret), PercentEncoding.escape(secret)])
        secrets.withLock { list in
            for form in forms where !list.contains(form) { list.append(form) }
            list.sort { $0.utf8.count > $1.utf8.count }
        }
    }

    /// `text` with every registered secret replaced by `[redacted]`.
    public func apply(_ text: String) -> String {
        let list = secrets.withLock { $0 }
        guard !list.isEmpty else { return text }
        var result = text
        for secret in list where result.contains(secret) {
            result = result.replacing(secret, with: Self.marker)
        }
        return result
    }

    /// `bytes` (UTF-8 text) with every registered secret replaced; the same array when none occurs.
    public func apply(_ bytes: [UInt8]) -> [UInt8] {
        let list = secrets.withLock { $0 }
        guard !list.isEmpty else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        guard list.contains(where: { text.contains($0) }) else { return bytes }
        return Array(apply(text).utf8)
    }

    /// Whether `text` holds any registered secret (for tests and assertions).
    public func leaks(_ text: String) -> Bool {
        secrets.withLock { $0 }.contains { text.contains($0) }
    }

    static func jsonEscaped(_ text: String) -> String {
        var bytes: [UInt8] = []
        Array(text.utf8).withUnsafeBufferPointer { RecordWriter.appendEscaped($0, to: &bytes) }
        // `appendEscaped` writes the quotes too.
        return String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// Request headers that carry credentials: `Authorization` and anything named like a token, key,
/// secret, password or cookie. A config must give their values by reference, and every output
/// redacts them.
public enum CredentialHeaders {
    public static func isCredential(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["authorization", "token", "key", "secret", "password", "cookie"].contains { lowered.contains($0) }
    }

    /// Registers the values of the credential headers among `headers` with the output redaction.
    public static func register(_ headers: [String: String]) {
        for (name, value) in headers where isCredential(name) { OutputRedaction.shared.register(value) }
    }
}
