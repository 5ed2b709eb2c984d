import CPostgres
import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq session to the source database, set up for reading only.
///
/// Every session runs with `default_transaction_read_only = on` (the exporter never writes the
/// source), the configured `statement_timeout`, and fixed output settings so values arrive the
/// same whatever the server's defaults: `TimeZone = UTC`, `DateStyle = ISO, YMD`,
/// `IntervalStyle = iso_8601`, `bytea_output = hex`, `extra_float_digits = 1` (shortest exact
/// floats). They are plain `SET`s after connecting rather than startup options, which some
/// connection poolers refuse. Not thread-safe: one reader uses one connection.
public final class PostgresConnection {
    /// `host:port/db` of the server, for messages; never credentials.
    public private(set) var target: String
    private let parameters: PostgresConnectionParameters
    private var handle: OpaquePointer?

    /// Connects; throws a `SIEMError` classified as `PostgresErrorMapping` describes.
    public convenience init(_ options: PostgresConnectionOptions) throws {
        try self.init(options, replication: false)
    }

    /// `replication`: a logical replication session, which takes simple queries only.
    init(_ options: PostgresConnectionOptions, replication: Bool) throws {
        parameters = try PostgresConnectionParameters(options, replication: replication)
        target = parameters.targetDescription
        try connect()
    }

    deinit { close() }

    /// Drops the session, if any, and opens a new one with the same parameters: what a caller
    /// does after a retryable failure. Reads resume from the caller's cursor.
    public func reconnect() throws {
        close()
        try connect()
    }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the server is a hot standby (in recovery): reads work, `lockBarrier` does not.
    public func isInRecovery() throws -> Bool {
        try execute("SELECT pg_is_in_recovery()").string(0, 0) == "t"
    }

    /// The server's version as libpq reports it (150018 for 15.18).
    public var serverVersion: Int { handle.map { Int(PQserverVersion($0)) } ?? 0 }

    /// Whether an error from this module says to retry later (after `reconnect()`), rather than
    /// to fix the configuration or the source.
    public static func isRetryable(_ error: any Error) -> Bool {
        if case .locked = error as? SIEMError { return true }
        return false
    }

    private func connect() throws {
        guard let connection = parameters.withKeywordArrays({ PQconnectdbParams($0, $1, 0) }) else {
            throw PostgresErrorMapping.unavailable("libpq could not allocate a connection", target: target)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresErrorMapping.connectionFailure(message, target: target, password: parameters.password)
        }
        handle = connection
        let host = PQhost(connection).map { String(cString: $0) } ?? ""
        let port = PQport(connection).map { String(cString: $0) } ?? ""
        let database = PQdb(connection).map { String(cString: $0) } ?? ""
        if !host.isEmpty { target = "\(host):\(port)/\(database)" }
        try execute(
            "SET statement_timeout = \(parameters.statementTimeoutMilliseconds); "
                + "SET default_transaction_read_only = on; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
                + "SET IntervalStyle = 'iso_8601'; SET bytea_output = 'hex'; SET extra_float_digits = 1")
    }

    /// The libpq connection, for the replication stream's COPY protocol; nil once closed.
    var rawHandle: OpaquePointer? { handle }

    /// The password, for masking it in messages built outside this type.
    var password: String? { parameters.password }

    /// A failed statement as the server (or libpq) reported it, before it becomes a `SIEMError`:
    /// callers that expect one SQLSTATE (a lock timeout) handle it themselves.
    struct Failure: Error {
        var sqlState: String?
        var message: String
        var connectionBroken: Bool
    }

    /// Runs one statement (or several, `;`-separated, without parameters); the result of the
    /// last, or the failure of the first that failed.
    func run(_ sql: String, parameters values: [String]? = nil) -> Result<PostgresResult, Failure> {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            return .failure(Failure(sqlState: nil, message: "the connection is closed", connectionBroken: true))
        }
        let raw: OpaquePointer?
        if let values {
            let copies = values.map { strdup($0) }
            defer { for copy in copies { free(copy) } }
            raw = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer {
                PQexecParams(handle, sql, Int32(values.count), nil, $0.baseAddress, nil, nil, 0)
            }
        } else {
            raw = PQexec(handle, sql)
        }
        guard let raw else {
            let message = String(cString: PQerrorMessage(handle))
            return .failure(
                Failure(sqlState: nil, message: message, connectionBroken: PQstatus(handle) != CONNECTION_OK))
        }
        let result = PostgresResult(raw)
        let status = PQresultStatus(raw)
        if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK { return .success(result) }
        let sqlState = PQresultErrorField(raw, Self.sqlStateField).map { String(cString: $0) }
        let message =
            PQresultErrorField(raw, Self.primaryMessageField).map { String(cString: $0) }
            ?? String(cString: PQerrorMessage(handle))
        return .failure(
            Failure(sqlState: sqlState, message: message, connectionBroken: PQstatus(handle) != CONNECTION_OK))
    }

    /// `run`, with a failure turned into the `SIEMError` its SQLSTATE calls for.
    @discardableResult
    func execute(_ sql: String, parameters values: [String]? = nil) throws -> PostgresResult {
        switch run(sql, parameters: values) {
        case .success(let result): return result
        case .failure(let failure): throw error(for: failure)
        }
    }

    func error(for failure: Failure) -> SIEMError {
        PostgresErrorMapping.queryFailure(
            sqlState: failure.sqlState, message: failure.message, connectionBroken: failure.connectionBroken,
            target: target, password: parameters.password)
    }

    /// Runs `body` in its own short read-only transaction: `REPEATABLE READ`, so everything it
    /// reads comes from one snapshot (PostgreSQL docs, 13.2.2 "Repeatable Read Isolation Level":
    /// the snapshot is taken at the transaction's first statement). Hot standbys allow it;
    /// `SERIALIZABLE` they refuse (docs, 27.4.1 "Hot Standby — User's Overview").
    func inReadOnlyTransaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = run("ROLLBACK")
            throw error
        }
    }

    private static let sqlStateField = Int32(UInt8(ascii: "C"))  // PG_DIAG_SQLSTATE
    private static let primaryMessageField = Int32(UInt8(ascii: "M"))  // PG_DIAG_MESSAGE_PRIMARY
}
