import SIEMCore

/// What every HTTP sink accepts as an endpoint URL.
enum HTTPURLRules {
    /// Why `url` cannot be an endpoint, nil when it can (an `OptionSpec` rule).
    @Sendable static func problem(_ url: String) -> String? {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            return "must be an http:// or https:// URL"
        }
        let authority =
            url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        if authority.contains("@") {
            return "must not carry credentials (user:password@); put them in a header by reference"
        }
        if authority.isEmpty { return "has no host" }
        return nil
    }

    /// `problem` for an optional URL: unset is fine.
    @Sendable static func problem(_ url: String?) -> String? { url.flatMap(problem) }

    /// A base URL without its trailing slash, so paths can be appended as `base + "/path"`.
    static func base(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
