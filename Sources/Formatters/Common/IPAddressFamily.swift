import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension IPAddressSyntax {
    /// Whether text is a literal IPv4 address in dotted-decimal form (`inet_pton(AF_INET)`): what
    /// CEF's `src` and `dst` may hold. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is IPv6.
    static func isIPv4Address(_ text: UTF8Text) -> Bool {
        guard !text.isEmpty, text.count <= 15 else { return false }
        var address = UInt32(0)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { cString in
            text.withUTF8 { bytes in
                for i in 0..<bytes.count { cString[i] = CChar(bitPattern: bytes[i]) }
            }
            cString[text.count] = 0
            if cString[0..<text.count].contains(0) { return false }
            return inet_pton(AF_INET, cString.baseAddress, &address) == 1
        }
    }
}
