import SIEMCore

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
    static func isIPAddress(_ text: UTF8Text) -> Bool {
        // The longest textual address (IPv6 with an embedded IPv4) has 45 characters.
        guard !text.isEmpty, text.count <= 64 else { return false }
        var address = (UInt64(0), UInt64(0))
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { cString in
            text.withUTF8 { bytes in
                for i in 0..<bytes.count { cString[i] = CChar(bitPattern: bytes[i]) }
            }
            cString[text.count] = 0
            // A NUL inside the text would end the C string early and accept a prefix.
            if cString[0..<text.count].contains(0) { return false }
            return withUnsafeMutableBytes(of: &address) { raw in
                if inet_pton(AF_INET, cString.baseAddress, raw.baseAddress) == 1 { return true }
                return inet_pton(AF_INET6, cString.baseAddress, raw.baseAddress) == 1
            }
        }
    }
}
