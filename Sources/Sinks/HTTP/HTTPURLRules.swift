import SIEMCore

/// What every HTTP sink accepts as an endpoint URL.
enum HTTPURLRules {
    static func check(_ url: String, key: String) throws {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw SIEMError.invalidOption(key: key, message: "must be an http:// or https:// URL")
        }
        let authority =
            url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first ?? ""
        if authority.contains("@") {
            throw SIEMError.invalidOption(
                key: key, message: "must not carry credentials (user:password@); put them in a header by reference")
        }
        if authority.isEmpty { throw SIEMError.invalidOption(key: key, message: "has no host") }
    }

    /// A base URL without its trailing slash, so paths can be appended as `base + "/path"`.
    static func base(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
