import SIEMCore

/// How a libpq failure becomes a `SIEMError`, so the pipeline knows whether to retry, stop with a
/// config error, or report the source.
///
/// - `.locked(path: target, …)` (exit 75, EX_TEMPFAIL): retry later. The server is unreachable,
///   refused the connection, is starting up, shutting down or restarting, dropped the connection,
///   has no connection slot free, cancelled a statement (timeout, conflict with recovery on a
///   standby), or a transaction lost a serialization or deadlock race. Nothing is lost by retrying:
///   the cursor has not moved. A host name that does not resolve is retried too (DNS outages pass;
///   the message says what failed on every attempt).
/// - `.config(location: target, …)` (exit 78): authentication failed, the role or database does
///   not exist, TLS or certificate checks failed, a privilege is missing, or a rule cannot work
///   where it runs (`lockBarrier` on a hot standby). Retrying cannot help.
/// - `.source(path: target, …)` (exit 66): the table, a column or a function the rule needs is
///   missing, or any other error the server reports about the query.
///
/// libpq gives a failed connection attempt no SQLSTATE, only the (English, by default) message,
/// so connection failures are classified by their text; query failures by SQLSTATE. Messages
/// never carry the password: libpq does not put it in them, and it is masked if it ever appears.
enum PostgresErrorMapping {
    /// What a message says when a connection attempt fails for a reason retrying cannot fix.
    private static let configurationSigns = [
        "password authentication failed", "authentication failed", "no pg_hba.conf entry", "pg_hba.conf rejects",
        "no password supplied", "password is required", "does not exist", "permission denied",
        "not permitted to log in", "certificate", "server does not support ssl", "private key", "sslmode",
        "invalid connection option", "invalid port", "invalid integer value", "unsupported frontend protocol",
        "channel binding", "gssapi", "sspi",
    ]
    /// Messages of a server that exists but cannot take the connection now: checked first, since
    /// "the database system is in recovery mode" would otherwise read as configuration.
    private static let transientSigns = [
        "the database system is starting up", "the database system is shutting down",
        "the database system is not yet accepting connections", "the database system is not accepting connections",
        "the database system is in recovery mode", "too many connections", "remaining connection slots are reserved",
        "sorry, too many clients",
    ]

    static func connectionFailure(_ rawMessage: String, target: String, password: String?) -> SIEMError {
        let message = clean(rawMessage, password: password)
        let lowered = message.lowercased()
        if transientSigns.contains(where: { lowered.contains($0) }) { return unavailable(message, target: target) }
        if configurationSigns.contains(where: { lowered.contains($0) }) {
            let what =
                lowered.contains("authentication") || lowered.contains("password") || lowered.contains("pg_hba")
                ? "PostgreSQL authentication failed" : "PostgreSQL refused the connection"
            return .config(location: target, message: "\(what): \(message)")
        }
        return unavailable(message, target: target)
    }

    /// A failed query. `connectionBroken`: libpq reports the connection as lost, whatever the
    /// SQLSTATE (often none: the server went away mid-query).
    static func queryFailure(
        sqlState: String?, message rawMessage: String, connectionBroken: Bool, target: String, password: String?
    ) -> SIEMError {
        let message = clean(rawMessage, password: password)
        guard let sqlState, !connectionBroken else { return unavailable(message, target: target) }
        let sqlClass = sqlState.prefix(2)
        switch sqlState {
        case "57P01", "57P02", "57P03", "57014", "55P03", "40001", "40P01":
            return unavailable("\(message) [SQLSTATE \(sqlState)]", target: target)
        case "42501", "25006", "0A000":
            return .config(location: target, message: "\(message) [SQLSTATE \(sqlState)]")
        default:
            break
        }
        switch sqlClass {
        case "08", "53", "58":
            return unavailable("\(message) [SQLSTATE \(sqlState)]", target: target)
        case "28":
            return .config(location: target, message: "PostgreSQL authentication failed: \(message)")
        default:
            return .source(path: target, message: "\(message) [SQLSTATE \(sqlState)]")
        }
    }

    static func unavailable(_ message: String, target: String) -> SIEMError {
        .locked(path: target, message: "PostgreSQL is unavailable (retryable): \(message)")
    }

    /// One line, libpq's severity prefixes and doubled spaces removed, the password masked.
    static func clean(_ message: String, password: String?) -> String {
        var text = message.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        text = text.replacing("FATAL:  ", with: "").replacing("ERROR:  ", with: "")
        while text.contains("  ") { text = text.replacing("  ", with: " ") }
        while text.last == " " { text.removeLast() }
        if let password, !password.isEmpty, text.contains(password) { text = text.replacing(password, with: "•••") }
        return text
    }
}
