import SIEMCore
import Testing

@testable import SIEMInputs

/// The classification of libpq's messages and SQLSTATEs, including the ones a test cannot easily
/// provoke on cue (a server starting up, a standby cancelling a query).
@Suite struct PostgresErrorMappingTests {
    private let target = "db.example.com:5432/app"

    @Test(arguments: [
        "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running?",
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the database system is starting up",
        "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the database system is shutting down",
        "connection to server at \"10.0.0.5\", port 5432 failed: FATAL:  the database system is in recovery mode",
        "connection to server at \"10.0.0.5\", port 5432 failed: FATAL:  sorry, too many clients already",
        "connection to server at \"10.0.0.5\", port 5432 failed: timeout expired",
        "could not translate host name \"db.example.com\" to address: Temporary failure in name resolution",
        "server closed the connection unexpectedly",
    ])
    func retryableConnectionFailures(message: String) {
        let error = PostgresErrorMapping.connectionFailure(message, target: target, password: nil)
        #expect(error.isLocked, "\(error)")
        #expect(error.location == target)
    }

    @Test(arguments: [
        "connection to server failed: FATAL:  password authentication failed for user \"siem\"",
        "connection to server failed: FATAL:  no pg_hba.conf entry for host \"10.1.1.1\", user \"siem\"",
        "connection to server failed: fe_sendauth: no password supplied",
        "connection to server failed: FATAL:  role \"siem\" does not exist",
        "connection to server failed: FATAL:  database \"app\" does not exist",
        "connection to server failed: server certificate for \"db\" does not match host name \"db.example.com\"",
        "connection to server failed: SSL error: certificate verify failed",
        "root certificate file \"/root/.postgresql/root.crt\" does not exist",
        "connection to server failed: server does not support SSL, but SSL was required",
    ])
    func configurationConnectionFailures(message: String) {
        let error = PostgresErrorMapping.connectionFailure(message, target: target, password: nil)
        guard case .config(let location, _) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(location == target)
    }

    @Test(
        arguments: [
            ("57P01", false), ("57P03", false), ("57014", false), ("40001", false), ("40P01", false), ("08006", false),
            ("53300", false), ("55P03", false), ("42P01", true), (nil, false),
        ] as [(String?, Bool)])
    func queryFailuresThatAreRetryable(sqlState: String?, brokenConnection: Bool) {
        let error = PostgresErrorMapping.queryFailure(
            sqlState: sqlState, message: "x", connectionBroken: brokenConnection, target: target, password: nil)
        #expect(error.isLocked, "\(sqlState ?? "none") → \(error)")
    }

    @Test func queryFailuresOfTheSourceAndOfConfiguration() {
        let missing = PostgresErrorMapping.queryFailure(
            sqlState: "42P01", message: "relation \"events\" does not exist", connectionBroken: false, target: target,
            password: nil)
        #expect(missing == .source(path: target, message: "relation \"events\" does not exist [SQLSTATE 42P01]"))
        let denied = PostgresErrorMapping.queryFailure(
            sqlState: "42501", message: "permission denied for table events", connectionBroken: false, target: target,
            password: nil)
        #expect(denied == .config(location: target, message: "permission denied for table events [SQLSTATE 42501]"))
        let standby = PostgresErrorMapping.queryFailure(
            sqlState: "25006", message: "cannot execute LOCK TABLE during recovery", connectionBroken: false,
            target: target, password: nil)
        #expect(standby.exitCode == 78)
    }

    @Test func aPasswordInAMessageIsMasked() {
        let error = PostgresErrorMapping.connectionFailure(
            "FATAL:  something echoed hunter2-pw back\n", target: target, password: "hunter2-pw")
        #expect(!error.description.contains("hunter2-pw"))
        #expect(error.description.contains("something echoed ••• back"))
    }
}
