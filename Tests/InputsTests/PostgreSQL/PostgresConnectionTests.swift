import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

/// Connecting: failures classified (retryable or configuration), messages that name the target
/// and never the password, the TLS defaults, and recovery from a server restart.
@Suite struct PostgresConnectionTests {
    @Test func aClosedPortIsRetryableAndNamesTheTargetWithoutThePassword() throws {
        let port = try LoopbackPort.freeTCP()
        let options = PostgresConnectionOptions(
            target: .url("postgresql://siem@127.0.0.1:\(port)/app"), password: "hunter2-secret",
            connectTimeoutSeconds: 2)
        let error = try #require(throws: SIEMError.self) { try PostgresConnection(options) }
        #expect(error.isLocked)
        #expect(PostgresConnection.isRetryable(error))
        #expect(error.location == "127.0.0.1:\(port)/app")
        #expect(!error.description.contains("hunter2"))
        #expect(error.exitCode == 75)
    }

    @Test func aWrongPasswordIsAConfigurationError() throws {
        let database = try PostgresTestDatabase(table: false)
        var options = database.options
        options.password = "wrong-password-\(UUID().uuidString.prefix(4))"
        let error = try #require(throws: SIEMError.self) { try PostgresConnection(options) }
        guard case .config(let location, let message) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(location == "127.0.0.1:\(database.server.port)/\(database.name)")
        #expect(message.contains("authentication failed"))
        #expect(!error.description.contains(options.password!))
        #expect(!error.description.contains(database.server.password))
        #expect(!PostgresConnection.isRetryable(error))
    }

    @Test func aMissingDatabaseIsAConfigurationError() throws {
        let server = try PostgresTestServer.shared()
        let options = PostgresConnectionOptions(
            target: .keywords(host: "127.0.0.1", port: server.port, database: "no_such_db", user: server.user),
            password: server.password)
        let error = try #require(throws: SIEMError.self) { try PostgresConnection(options) }
        guard case .config(_, let message) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(message.contains("\"no_such_db\" does not exist"))
    }

    /// The test server has no TLS: demanding it (as a remote host would by default) fails as
    /// configuration, not as an outage to retry.
    @Test func requiredTLSTheServerLacksIsAConfigurationError() throws {
        let database = try PostgresTestDatabase(table: false)
        var options = database.options
        options.sslMode = .verifyFull
        let error = try #require(throws: SIEMError.self) { try PostgresConnection(options) }
        guard case .config(_, let message) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(message.lowercased().contains("ssl"))
    }

    @Test func aConnectionIsReadOnlyWithFixedOutputSettings() throws {
        let database = try PostgresTestDatabase()
        let connection = try database.connect()
        #expect(connection.target == "127.0.0.1:\(database.server.port)/\(database.name)")
        #expect(try !connection.isInRecovery())
        let settings = try connection.execute(
            "SELECT current_setting('default_transaction_read_only'), current_setting('TimeZone'), "
                + "current_setting('application_name'), current_setting('statement_timeout')")
        #expect(settings.string(0, 0) == "on")
        #expect(settings.string(0, 1) == "UTC")
        #expect(settings.string(0, 2) == "siem-export")
        #expect(settings.string(0, 3) == "1min")
        let error = try #require(throws: SIEMError.self) {
            try connection.execute("INSERT INTO events (message) VALUES ('x')")
        }
        #expect(error.what.contains("read-only transaction"))
    }

    /// A restart between two reads: the next read fails retryably, a reconnect resumes from the
    /// cursor, and every row is read exactly once.
    @Test func aServerRestartBetweenReadsIsRetryableAndLosesNothing() throws {
        let server = try PostgresTestServer()
        let database = try PostgresTestDatabase(on: server)
        try database.writer().execute("INSERT INTO events (message) SELECT 'm' || n FROM generate_series(1, 5) n")
        let reader = try database.reader(.txidColumn("txid"))
        var batch = PostgresRowBatch()
        try reader.read(after: .start, max: 3, into: &batch)
        var delivered = (0..<batch.count).map { batch[$0, 0].textValue!.string }
        var cursor = batch.resumeCursor
        try server.restart()
        let error = try #require(throws: SIEMError.self) { try reader.read(after: cursor, max: 3, into: &batch) }
        #expect(PostgresConnection.isRetryable(error), "\(error)")
        try reader.connection.reconnect()
        try database.writer().execute("INSERT INTO events (message) VALUES ('m6')")
        delivered += try drain(reader, from: &cursor, max: 3)
        #expect(delivered == ["m1", "m2", "m3", "m4", "m5", "m6"])
    }

    /// A server that is stopped, and so refuses connections, is retryable, and so is a reconnect
    /// attempt while it is down; once it is back, the reconnect succeeds.
    @Test func reconnectingWhileTheServerIsDownIsRetryable() throws {
        let server = try PostgresTestServer()
        let database = try PostgresTestDatabase(on: server)
        let connection = try database.connect()
        server.stop()
        let error = try #require(throws: SIEMError.self) { try connection.reconnect() }
        #expect(PostgresConnection.isRetryable(error), "\(error)")
        try server.start()
        try connection.reconnect()
        #expect(try connection.execute("SELECT 1").string(0, 0) == "1")
    }

    /// The session's `statement_timeout` cancels a statement (SQLSTATE 57014, retryable) and the
    /// session goes on.
    @Test func aStatementPastTheTimeoutIsRetryable() throws {
        let database = try PostgresTestDatabase(table: false)
        var options = database.options
        options.statementTimeoutMilliseconds = 100
        let connection = try PostgresConnection(options)
        let error = try #require(throws: SIEMError.self) { try connection.execute("SELECT pg_sleep(5)") }
        #expect(PostgresConnection.isRetryable(error))
        #expect(error.what.contains("statement timeout [SQLSTATE 57014]"))
        #expect(try connection.execute("SELECT 1").string(0, 0) == "1")
    }

    @Test func aRemoteHostDefaultsToVerifyFull() throws {
        let parameters = try PostgresConnectionParameters(
            PostgresConnectionOptions(target: .url("postgresql://siem@db.example.com/app"), password: "pw"))
        #expect(parameters.keywords.first { $0.0 == "sslmode" }?.1 == "verify-full")
        #expect(parameters.keywords.first { $0.0 == "password" }?.1 == "pw")
        #expect(parameters.keywords.first { $0.0 == "client_encoding" }?.1 == "UTF8")
        #expect(parameters.targetDescription == "db.example.com:5432/app")
    }

    @Test(arguments: [
        "postgresql://siem@localhost/app", "postgresql://siem@127.0.0.1:6543/app",
        "postgresql://siem@[::1]/app", "host=/var/run/postgresql dbname=app user=siem", "dbname=app",
    ])
    func aLocalServerDefaultsToPrefer(url: String) throws {
        let parameters = try PostgresConnectionParameters(PostgresConnectionOptions(target: .url(url)))
        #expect(parameters.keywords.first { $0.0 == "sslmode" }?.1 == "prefer")
    }

    @Test func theURLsSSLModeIsKeptAndAnExplicitOneWins() throws {
        let url = "postgresql://siem@db.example.com/app?sslmode=verify-ca&sslrootcert=/etc/ca.pem"
        let kept = try PostgresConnectionParameters(PostgresConnectionOptions(target: .url(url)))
        #expect(kept.keywords.first { $0.0 == "sslmode" }?.1 == "verify-ca")
        #expect(kept.keywords.first { $0.0 == "sslrootcert" }?.1 == "/etc/ca.pem")
        let chosen = try PostgresConnectionParameters(
            PostgresConnectionOptions(target: .url(url), sslMode: .verifyFull, sslRootCert: "/etc/other.pem"))
        #expect(chosen.keywords.first { $0.0 == "sslmode" }?.1 == "verify-full")
        #expect(chosen.keywords.first { $0.0 == "sslrootcert" }?.1 == "/etc/other.pem")
    }

    @Test(arguments: ["postgresql://siem@db.example.com/app?sslmode=require", "host=10.0.0.5 sslmode=prefer"])
    func aRemoteHostWithoutCertificateChecksIsRefused(url: String) throws {
        let error = try #require(throws: SIEMError.self) {
            try PostgresConnectionParameters(PostgresConnectionOptions(target: .url(url)))
        }
        #expect(error.what.contains("does not check the server's certificate"))
    }

    @Test func aPasswordInTheURLIsRefusedWithoutBeingShown() throws {
        let error = try #require(throws: SIEMError.self) {
            try PostgresConnectionParameters(
                PostgresConnectionOptions(target: .url("postgresql://siem:s3cr3t-pw@db.example.com/app")))
        }
        #expect(error.location == "db.example.com:5432/app")
        #expect(!error.description.contains("s3cr3t"))
    }

    @Test func anUnparsableURLIsRefusedWithoutBeingShown() throws {
        let error = try #require(throws: SIEMError.self) {
            try PostgresConnectionParameters(
                PostgresConnectionOptions(target: .url("postgresql://siem:pw@db/app?nonsense_option=s3cr3t")))
        }
        #expect(!error.description.contains("s3cr3t"))
    }
}
