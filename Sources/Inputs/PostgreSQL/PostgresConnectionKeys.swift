import SIEMCore

/// The keys that say where a PostgreSQL source connects and how: a libpq connection string, the
/// password by reference, TLS and timeouts. Shared by `postgres_table` and the registry's
/// `oversight_registry_postgres`.
public struct PostgresConnectionKeys: PluginOptions {
    public var url = ""
    public var password: String?
    public var sslmode: PostgresSSLMode?
    public var sslrootcert: String?
    public var connectTimeoutSeconds = 10
    public var statementTimeoutMS = 60_000

    public static let specs: [OptionSpec<PostgresConnectionKeys>] = [
        .init(
            "url", \.url,
            help:
                "libpq connection string without a password: postgresql://USER@HOST:PORT/DB?sslmode=… or keywords, host=… port=… dbname=… user=…",
            required: true),
        .init("password", \.password, help: "the role's password", secret: true),
        .init(
            "sslmode", \.sslmode,
            help:
                "libpq sslmode (else the url's); default verify-full for a server across a network, where only verify-ca and verify-full are allowed, and prefer on loopback or a Unix socket"
        ),
        .init(
            "sslrootcert", \.sslrootcert,
            help: "PEM file of the CA that signs the server's certificate (relative to the config)"),
        .init(
            "connect_timeout_s", \.connectTimeoutSeconds, help: "how long one connection attempt may take",
            range: 1...600),
        .init(
            "statement_timeout_ms", \.statementTimeoutMS,
            help: "longest any query of the exporter may run on the server (statement_timeout)", range: 100...3_600_000),
    ]

    public init() {}

    /// What `PostgresConnection` takes; `sslrootcert` resolved against the config's directory.
    public func connectionOptions(in context: PluginContext) -> PostgresConnectionOptions {
        PostgresConnectionOptions(
            target: .url(url), password: password, sslMode: sslmode,
            sslRootCert: sslrootcert.map(context.resolve(path:)), connectTimeoutSeconds: connectTimeoutSeconds,
            statementTimeoutMilliseconds: statementTimeoutMS)
    }
}

extension PostgresSSLMode: OptionChoice {}
