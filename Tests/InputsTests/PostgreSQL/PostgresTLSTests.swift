import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

/// Certificate checks against a real server with TLS: `verify-full` succeeds with the CA that
/// signed the server's certificate and fails, as configuration, with any other.
@Suite struct PostgresTLSTests {
    @Test func verifyFullConnectsWithTheRightCAAndRefusesAnyOther() throws {
        let certificates = try TestCertificates.make()
        let server = try PostgresTestServer(tls: certificates)
        let database = try PostgresTestDatabase(on: server, table: false)
        var options = database.options
        options.sslMode = .verifyFull
        options.sslRootCert = certificates.caFile
        let connection = try PostgresConnection(options)
        let ssl = try connection.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        #expect(ssl.string(0, 0) == "t")

        let otherCA = try TestCertificates.make()
        options.sslRootCert = otherCA.caFile
        let error = try #require(throws: SIEMError.self) { try PostgresConnection(options) }
        guard case .config(_, let message) = error else {
            Issue.record("expected a config error, got \(error)")
            return
        }
        #expect(message.contains("certificate"))
        #expect(!PostgresConnection.isRetryable(error))
    }
}
