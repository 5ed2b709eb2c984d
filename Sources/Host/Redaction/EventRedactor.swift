import CLibCrypto
import Foundation
import SIEMCore

/// A pipeline's redaction stage: what it removes never reaches a formatter, so no formatter can
/// leak it. Keys of an event's attributes (a beacon's `extra`) on the denylist keep their place with the value `"[redacted]"`; the
/// source address and user agent can be kept, cut down or replaced by a keyed pseudonym.
public struct EventRedactor: Sendable {
    /// Matched case-insensitively against every key of the attributes, at any depth.
    public static let defaultExtraKeys: Set<String> = [
        "password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "cookie", "private_key",
        "client_secret", "ssn",
    ]

    public enum SourceIPMode: String, OptionChoice {
        /// As stored.
        case keep
        /// IPv4 to its /24, IPv6 to its /48; text that is not an address becomes `[redacted]`.
        case truncate
        /// `hmac-sha256:<32 hex>`: the same address gives the same pseudonym under one key, so
        /// events can still be correlated, but the address cannot be read back.
        case hmac
    }

    public enum UserAgentMode: String, OptionChoice { case keep, drop, hmac }

    /// A pipeline's `redact:` node, declared like a plugin's options (the same decoding, key
    /// checks, secret-by-reference rule and listing); `redact: {}` applies the built-in denylist.
    public struct Options: PluginOptions {
        public var attributeKeys: [String] = []
        /// The older name of `attribute_keys`, from when only the registry's `extra` had attributes.
        public var extraKeys: [String] = []
        public var sourceIP = SourceIPMode.keep
        public var userAgent = UserAgentMode.keep
        public var hmacKey: String?

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "attribute_keys", \.attributeKeys,
                help:
                    "keys of an event's attributes (a beacon's `extra`), at any depth and in any case, whose values become \"[redacted]\" (besides the built-in list)"
            ),
            .init("extra_keys", \.extraKeys, help: "the older name of `attribute_keys` (both are applied)"),
            .init(
                "source_ip", \.sourceIP,
                help:
                    "keep; truncate (IPv4 to /24, IPv6 to /48); hmac (a keyed pseudonym, correlatable, not reversible)"),
            .init("user_agent", \.userAgent, help: "keep, drop, or hmac"),
            .init(
                "hmac_key", \.hmacKey, help: "the pseudonymisation key (at least 16 bytes), by reference", secret: true,
                check: { key in
                    guard let key, key.utf8.count < 16 else { return nil }
                    return "the key must be at least 16 bytes"
                }),
        ]

        public init() {}

        public func validateCombination() throws {
            if hmacKey == nil && (sourceIP == .hmac || userAgent == .hmac) {
                throw SIEMError.invalidOption(
                    key: sourceIP == .hmac ? "source_ip" : "user_agent",
                    message: "`hmac` needs `hmac_key: ${env:NAME}`")
            }
        }
    }

    public init(options: Options) {
        self.init(
            extraKeys: Set(options.attributeKeys + options.extraKeys), sourceIP: options.sourceIP,
            userAgent: options.userAgent,
            hmacKey: options.hmacKey.map { Array($0.utf8) })
    }

    public var extraKeys: Set<String>
    public var sourceIP: SourceIPMode
    public var userAgent: UserAgentMode
    /// The pseudonymisation key; required by the `hmac` modes.
    var hmacKey: [UInt8]?

    public init(
        extraKeys: Set<String> = [], sourceIP: SourceIPMode = .keep, userAgent: UserAgentMode = .keep,
        hmacKey: [UInt8]? = nil
    ) {
        self.extraKeys = Set(Self.defaultExtraKeys.union(extraKeys).map { $0.lowercased() })
        self.sourceIP = sourceIP
        self.userAgent = userAgent
        self.hmacKey = hmacKey
    }

    public func apply(_ event: Event) -> Event {
        var event = event
        if let extra = event.attributes { event.attributes = redacted(extra) }
        if let address = event.sourceIP {
            switch sourceIP {
            case .keep: break
            case .truncate: event.sourceIP = UTF8Text(Self.truncated(address.string) ?? "[redacted]")
            case .hmac: event.sourceIP = UTF8Text(pseudonym(address))
            }
        }
        if let agent = event.userAgent {
            switch userAgent {
            case .keep: break
            case .drop: event.userAgent = nil
            case .hmac: event.userAgent = UTF8Text(pseudonym(agent))
            }
        }
        return event
    }

    /// Attributes with denylisted keys' values replaced; untouched (not even parsed) when no key on
    /// the list appears in its text.
    func redacted(_ extra: JSONText) -> JSONText {
        let lowered = extra.text.string.lowercased()
        guard extraKeys.contains(where: { lowered.contains("\"" + $0 + "\"") }) else { return extra }
        guard let value = try? JSONParser.parse(extra.text.string) else { return extra }
        return JSONText(redacted(value))
    }

    func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(
                members.map { member in
                    extraKeys.contains(member.key.lowercased())
                        ? (member.key, .string("[redacted]")) : (member.key, redacted(member.value))
                })
        case .array(let elements):
            return .array(elements.map(redacted))
        default:
            return value
        }
    }

    static func truncated(_ text: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            v4.s_addr &= UInt32(0xFFFF_FF00).bigEndian
            return Self.format(AF_INET, &v4, count: Int(INET_ADDRSTRLEN))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            withUnsafeMutableBytes(of: &v6) { bytes in for i in 6..<16 { bytes[i] = 0 } }
            return Self.format(AF_INET6, &v6, count: Int(INET6_ADDRSTRLEN))
        }
        return nil
    }

    private static func format<A>(_ family: Int32, _ address: inout A, count: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: count)
        let written = withUnsafeBytes(of: &address) { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(count)) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func pseudonym(_ text: UTF8Text) -> String {
        let key = hmacKey ?? []
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        text.withUTF8 { data in
            _ = key.withUnsafeBufferPointer { k in
                HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), data.baseAddress, data.count, &digest, &length)
            }
        }
        return "hmac-sha256:" + digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
