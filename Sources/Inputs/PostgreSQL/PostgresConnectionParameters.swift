import CPostgres
import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `PostgresConnectionOptions` checked and turned into libpq's keyword/value pairs, with the
/// target described as `host:port/db` for messages: never the password, never the raw URL.
struct PostgresConnectionParameters: Sendable {
    /// In the order libpq receives them (`PQconnectdbParams`, later keywords win).
    private(set) var keywords: [(String, String)] = []
    /// `host:port/db` (a socket directory in place of a host name).
    let targetDescription: String
    let password: String?
    let statementTimeoutMilliseconds: Int

    /// `replication`: a logical replication session (`replication=database`), for
    /// `PostgresChangeStream`.
    init(_ options: PostgresConnectionOptions, replication: Bool = false) throws {
        var values: [String: String] = [:]
        var order: [String] = []
        func set(_ key: String, _ value: String) {
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        switch options.target {
        case .url(let url):
            for (key, value) in try Self.parse(url) { set(key, value) }
        case .keywords(let host, let port, let database, let user):
            set("host", host)
            set("port", String(port))
            set("dbname", database)
            set("user", user)
        }
        let description = Self.describe(values)
        guard values["password"] == nil else {
            throw SIEMError.config(
                location: description,
                message: "the PostgreSQL connection URL contains a password; give it separately (a secret reference)")
        }
        let local = Self.isLocal(host: values["host"], hostaddr: values["hostaddr"])
        let sslMode: PostgresSSLMode
        if let chosen = options.sslMode {
            sslMode = chosen
        } else if let inURL = values["sslmode"] {
            guard let parsed = PostgresSSLMode(rawValue: inURL) else {
                throw SIEMError.config(location: description, message: "unknown sslmode '\(inURL)'")
            }
            sslMode = parsed
        } else {
            sslMode = local ? .prefer : .verifyFull
        }
        guard local || sslMode.verifiesCertificate else {
            throw SIEMError.config(
                location: description,
                message: "sslmode '\(sslMode.rawValue)' does not check the server's certificate; a server that is not "
                    + "on loopback needs verify-full (or verify-ca) with sslrootcert")
        }
        set("sslmode", sslMode.rawValue)
        if let root = options.sslRootCert { set("sslrootcert", root) }
        set("connect_timeout", String(options.connectTimeoutSeconds))
        set("application_name", options.applicationName)
        // Text always arrives as UTF-8, whatever the server's encoding: the server converts it.
        set("client_encoding", "UTF8")
        if let password = options.password { set("password", password) }
        if replication { set("replication", "database") }
        keywords = order.map { ($0, values[$0]!) }
        targetDescription = description
        password = options.password
        // A replication session's one command streams for as long as it is open.
        statementTimeoutMilliseconds = replication ? 0 : options.statementTimeoutMilliseconds
    }

    /// Calls `body` with NULL-terminated C arrays of the keywords and values.
    func withKeywordArrays<R>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R
    ) -> R {
        let keys: [UnsafeMutablePointer<CChar>?] = keywords.map { strdup($0.0) } + [nil]
        let vals: [UnsafeMutablePointer<CChar>?] = keywords.map { strdup($0.1) } + [nil]
        defer {
            for pointer in keys + vals { free(pointer) }
        }
        return keys.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
            vals.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!) }
        }
    }

    /// The parameters a libpq URL or `key=value` string sets, by libpq's own parser.
    private static func parse(_ conninfo: String) throws -> [(String, String)] {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &error) else {
            // libpq's message quotes the offending part, which may be a password: not shown.
            if let error { PQfreemem(error) }
            throw SIEMError.config(
                location: "postgres connection URL", message: "the PostgreSQL connection URL cannot be parsed")
        }
        defer { PQconninfoFree(options) }
        var pairs: [(String, String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { pairs.append((String(cString: keyword), String(cString: value))) }
            option += 1
        }
        return pairs
    }

    /// `host:port/db`, with libpq's defaults where a part is absent.
    private static func describe(_ values: [String: String]) -> String {
        let host = values["host"].flatMap { $0.isEmpty ? nil : $0 } ?? values["hostaddr"] ?? "localhost"
        let port = values["port"].flatMap { $0.isEmpty ? nil : $0 } ?? "5432"
        let database = values["dbname"] ?? values["user"] ?? ""
        return "\(host):\(port)/\(database)"
    }

    /// Whether every host is a Unix socket or a loopback address, where skipping certificate
    /// checks exposes nothing: no network lies between the two ends.
    static func isLocal(host: String?, hostaddr: String?) -> Bool {
        func local(_ entry: Substring) -> Bool {
            let e = entry.trimmingSpaces
            return e.isEmpty || e.hasPrefix("/") || e.hasPrefix("@") || e == "localhost" || e.hasPrefix("127.")
                || e == "::1" || e == "[::1]"
        }
        if let hostaddr, !hostaddr.isEmpty { return hostaddr.split(separator: ",").allSatisfy(local) }
        guard let host, !host.isEmpty else { return true }  // libpq's default: the Unix socket
        return host.split(separator: ",", omittingEmptySubsequences: false).allSatisfy(local)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
