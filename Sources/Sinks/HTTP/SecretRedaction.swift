/// Removes known secret values from text before it can reach a message: a receiver may echo
/// a request header in its error body, and that body is quoted in our errors.
public struct SecretRedaction: Sendable {
    private let secrets: [String]

    /// Values shorter than 4 characters are not redacted: they would mangle ordinary text and are
    /// not credentials anyone should use.
    public init(_ secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    public func apply(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingAll($1, with: "[redacted]") }
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
