/// libpq's `sslmode`: how hard the client insists on TLS and whether it checks the certificate.
///
/// The exporter's default depends on where the server is (`PostgresConnectionOptions`): a server
/// across a network is verified (`verify-full`), one on loopback or a Unix socket is not, since
/// nothing between the two ends could intercept the traffic.
public enum PostgresSSLMode: String, Sendable, Equatable, CaseIterable {
    case disable
    case allow
    case prefer
    case require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"

    /// Whether libpq checks the server's certificate against `sslrootcert` (and, for
    /// `verify-full`, the host name): the only modes allowed for a server that is not local.
    public var verifiesCertificate: Bool { self == .verifyCA || self == .verifyFull }
}
