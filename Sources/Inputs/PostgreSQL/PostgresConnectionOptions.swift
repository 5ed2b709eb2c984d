/// Where and how to connect to PostgreSQL: what a `postgres_table` source's config turns into.
///
/// The password is a field of its own, never part of the URL: a URL ends up in logs, process
/// lists and error messages, and a URL that holds a password is refused. Values set here
/// override the same parameters in the URL, except `sslMode`, which when nil keeps the URL's
/// `sslmode` and otherwise defaults by where the server is (see `sslMode`).
public struct PostgresConnectionOptions: Sendable, Equatable {
    /// The server, database and role.
    public enum Target: Sendable, Equatable {
        /// A libpq connection URL or `key=value` string without a password, e.g.
        /// `postgresql://siem@db.example.com:5432/app?sslmode=verify-full`.
        case url(String)
        /// The same by keywords; `host` may be a Unix-socket directory (it starts with `/`).
        case keywords(host: String, port: Int, database: String, user: String)
    }

    public var target: Target
    /// Sent with libpq's `password` keyword. Nil leaves libpq to its usual sources
    /// (`PGPASSWORD`, `~/.pgpass`) or to an authentication method that needs none.
    public var password: String?
    /// Nil: the URL's `sslmode` if it has one, else `verify-full` for a server reached over a
    /// network and `prefer` for loopback (`localhost`, `127.0.0.0/8`, `::1`) and Unix sockets,
    /// where no third party sits between client and server. A server that is not local must use
    /// `verify-ca` or `verify-full` (the exporter has no switch that turns certificate checks off).
    public var sslMode: PostgresSSLMode?
    /// The CA bundle that signs the server's certificate (libpq's `sslrootcert`); libpq's own
    /// default is `~/.postgresql/root.crt`.
    public var sslRootCert: String?
    /// libpq's `connect_timeout`: how long one connection attempt may take.
    public var connectTimeoutSeconds: Int
    /// Shown in `pg_stat_activity`, so a DBA can tell the exporter's sessions apart.
    public var applicationName: String
    /// `statement_timeout` of the session: no query of the exporter runs longer than this.
    public var statementTimeoutMilliseconds: Int

    public init(
        target: Target, password: String? = nil, sslMode: PostgresSSLMode? = nil, sslRootCert: String? = nil,
        connectTimeoutSeconds: Int = 10, applicationName: String = "siem-export",
        statementTimeoutMilliseconds: Int = 60_000
    ) {
        self.target = target
        self.password = password
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    }
}
