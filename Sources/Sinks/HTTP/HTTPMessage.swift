/// One HTTP request as a sink builds it. Header values may hold credentials: this type is never
/// printed, and errors describe a request by `HTTPRequest.describe(url:)` only.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// `scheme://host[:port]/path` — no user info, no query string — for messages and logs.
    public static func describe(url: String) -> String {
        var rest = Substring(url)
        var scheme = ""
        if let range = rest.range(of: "://") {
            scheme = String(rest[..<range.upperBound])
            rest = rest[range.upperBound...]
        }
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<query] }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return scheme + rest
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The last value of a header, matched without case.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name.lowercased() == lowered }?.value
    }

    /// A short, single-line excerpt of the body for error messages.
    public var bodyExcerpt: String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let flat = text.map { $0.isNewline ? " " : $0 }
        return String(flat) + (body.count > 200 ? "…" : "")
    }
}

/// A request that got no HTTP answer: the connection failed, timed out, or TLS was refused.
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke: worth retrying.
        case network
        case timeout
        /// Certificate or handshake refused: a configuration problem, retrying will not help.
        case tls
        /// Anything else (a bad option, a malformed URL): not worth retrying.
        case other
    }
    public let kind: Kind
    public let message: String
    public var isRetryable: Bool { kind == .network || kind == .timeout }
    public var description: String { message }
}
