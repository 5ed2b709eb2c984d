#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether text is a literal IPv4 or IPv6 address (`inet_pton`, a pure parse with no lookup).
///
/// Elasticsearch maps ECS `*.ip` fields as type `ip` and rejects a whole document whose value
/// is not an address, so a formatter checks before it writes one.
enum IPAddressSyntax {
    static func isIPAddress(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 64 else { return false }
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { raw in
            if inet_pton(AF_INET, text, raw.baseAddress) == 1 { return true }
            return inet_pton(AF_INET6, text, raw.baseAddress) == 1
        }
    }
}
