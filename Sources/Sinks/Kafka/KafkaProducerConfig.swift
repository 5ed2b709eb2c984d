/// What a `KafkaProducer` connects to and how: a plain value, turned into librdkafka settings by
/// `librdkafkaSettings` (every key documented in librdkafka's CONFIGURATION.md).
///
/// Some settings are not options: the producer is always idempotent with `acks=all`, never
/// creates topics, and always verifies the broker's certificate and host name under TLS.
public struct KafkaProducerConfig: Sendable, Equatable {
    /// `compression.type`. Event Hubs' Kafka endpoint documents gzip as its one codec.
    public enum Compression: String, Sendable, Equatable, CaseIterable {
        case none, gzip, lz4, zstd
    }

    /// `security.protocol`: TLS, SASL, both or neither.
    public enum SecurityProtocol: String, Sendable, Equatable, CaseIterable {
        case plaintext
        case ssl
        case saslPlaintext = "sasl_plaintext"
        case saslSSL = "sasl_ssl"

        var usesTLS: Bool { self == .ssl || self == .saslSSL }
        var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
    }

    /// `sasl.mechanism`: the ones that need only a user name and a password.
    public enum SASLMechanism: String, Sendable, Equatable, CaseIterable {
        case plain = "PLAIN"
        case scramSHA256 = "SCRAM-SHA-256"
        case scramSHA512 = "SCRAM-SHA-512"
    }

    /// SASL user name and password. `description` and the mirror leave the password out, so
    /// printing or dumping a config cannot show it.
    public struct SASLCredentials: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
        public var mechanism: SASLMechanism
        public var username: String
        public var password: String

        public init(mechanism: SASLMechanism, username: String, password: String) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }

        public var description: String { "\(mechanism.rawValue) user \(username) (password not shown)" }
        public var customMirror: Mirror {
            Mirror(self, children: ["mechanism": mechanism, "username": username, "password": "(not shown)"])
        }
    }

    /// The librdkafka keys whose values are secrets: never in an error message, never logged.
    public static let secretKeys: Set<String> = ["sasl.password"]

    /// `bootstrap.servers`: `host:port` entries; the client learns the other brokers from them.
    public var bootstrapServers: [String]
    public var topic: String
    /// `client.id`, shown in broker logs and quotas.
    public var clientID = "siem-export"
    public var compression = Compression.none
    /// `message.timeout.ms`: how long librdkafka may try to deliver one message, retries
    /// included; when it passes, the message fails with `_MSG_TIMED_OUT`. It also bounds how
    /// long `send` waits. Two minutes ride out a broker restart or a leader election and still
    /// show an outage soon. Must be above 0 (librdkafka's 0 means forever).
    public var messageTimeoutMS = 120_000
    /// `queue.buffering.max.messages`: most messages waiting in librdkafka at once.
    public var queueMaxMessages = 100_000
    /// `queue.buffering.max.kbytes`: most kilobytes waiting in librdkafka at once; 64 MiB
    /// rather than librdkafka's 1 GiB, so memory stays bounded. A full queue makes `send` wait.
    public var queueMaxKilobytes = 65_536
    /// `message.max.bytes`: largest protocol request (and so message) librdkafka sends; a
    /// bigger message fails alone as `refusedMessage`. Event Hubs closes the connection on
    /// requests over 1,046,528 bytes, so keep it at or below 1,000,000 there.
    public var messageMaxBytes = 1_000_000
    /// `linger.ms`: how long messages wait to fill a batch.
    public var lingerMS = 5
    /// `batch.size`: most bytes in one batch (MessageSet).
    public var batchSize = 1_000_000
    /// `connections.max.idle.ms`: close a broker connection idle this long; nil keeps
    /// librdkafka's default (never, except for broker names containing "azure"). Event Hubs
    /// drops connections idle over 240 s, and its names (`*.servicebus.windows.net`) do not
    /// match that heuristic: set 180000 there, as Microsoft recommends.
    public var connectionsMaxIdleMS: Int?
    public var securityProtocol = SecurityProtocol.plaintext
    /// `ssl.ca.location`: a CA file or directory, added trust for a private CA. Unset, the
    /// system's CA store is used.
    public var sslCALocation: String?
    /// Required with `sasl_plaintext` and `sasl_ssl`, refused with the others.
    public var sasl: SASLCredentials?

    public init(bootstrapServers: [String], topic: String) {
        self.bootstrapServers = bootstrapServers
        self.topic = topic
    }

    /// Checks what librdkafka cannot check for us, without I/O: librdkafka checks ranges and
    /// enum values itself (and names the key), see `librdkafkaSettings`.
    public func validate() throws {
        func refuse(_ key: String, _ message: String) -> KafkaError {
            KafkaError(kind: .configuration, name: "_INVALID_ARG", message: "\(key): \(message)")
        }
        if bootstrapServers.isEmpty || bootstrapServers.contains(where: \.isEmpty) {
            throw refuse("bootstrap.servers", "at least one host:port is needed, and no empty entry")
        }
        if topic.isEmpty { throw refuse("topic", "must not be empty") }
        if messageTimeoutMS <= 0 {
            throw refuse("message.timeout.ms", "must be above 0, so that every send ends (0 would wait forever)")
        }
        if securityProtocol.usesSASL && sasl == nil {
            throw refuse(
                "sasl", "security.protocol \(securityProtocol.rawValue) needs a SASL mechanism, user and password")
        }
        if let sasl, sasl.username.isEmpty || sasl.password.isEmpty {
            throw refuse("sasl", "\(sasl.mechanism.rawValue) needs both a user name and a password")
        }
        if !securityProtocol.usesSASL && sasl != nil {
            throw refuse("sasl", "set, but security.protocol \(securityProtocol.rawValue) does not use SASL")
        }
        if sslCALocation != nil && !securityProtocol.usesTLS {
            throw refuse("ssl.ca.location", "set, but security.protocol \(securityProtocol.rawValue) does not use TLS")
        }
        // A C string ends at the first NUL: librdkafka would see a different value than the one
        // configured (a truncated password would fail authentication for no visible reason).
        for (key, value) in librdkafkaSettings where value.utf8.contains(0) {
            throw refuse(key, "contains a NUL character")
        }
    }

    /// The settings handed to `rd_kafka_conf_set`, in order. Keys and meanings are librdkafka
    /// 2.0.2's CONFIGURATION.md.
    public var librdkafkaSettings: [(key: String, value: String)] {
        var settings: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            // Idempotence gives per-partition ordering and no duplicates from librdkafka's own
            // retries; it implies acks=all, max.in.flight<=5 and unlimited retries, and
            // producer creation fails on a setting that contradicts it (CONFIGURATION.md,
            // enable.idempotence). acks=all is stated anyway so that it is visible here.
            ("enable.idempotence", "true"),
            ("acks", "all"),
            // librdkafka's producer default is true: a mistyped topic would be created on a
            // broker that auto-creates topics instead of being reported.
            ("allow.auto.create.topics", "false"),
            ("compression.type", compression.rawValue),
            ("message.timeout.ms", String(messageTimeoutMS)),
            ("queue.buffering.max.messages", String(queueMaxMessages)),
            ("queue.buffering.max.kbytes", String(queueMaxKilobytes)),
            ("message.max.bytes", String(messageMaxBytes)),
            ("linger.ms", String(lingerMS)),
            ("batch.size", String(batchSize)),
            ("security.protocol", securityProtocol.rawValue),
        ]
        if let connectionsMaxIdleMS { settings.append(("connections.max.idle.ms", String(connectionsMaxIdleMS))) }
        if securityProtocol.usesTLS {
            // Both are librdkafka 2.x defaults; stated so that no default change can turn
            // verification off (DESIGN.md: TLS validation is always on).
            settings.append(("enable.ssl.certificate.verification", "true"))
            settings.append(("ssl.endpoint.identification.algorithm", "https"))
            if let sslCALocation { settings.append(("ssl.ca.location", sslCALocation)) }
        }
        if let sasl {
            settings.append(("sasl.mechanism", sasl.mechanism.rawValue))
            settings.append(("sasl.username", sasl.username))
            settings.append(("sasl.password", sasl.password))
        }
        return settings
    }

    /// The values no message may show: the SASL password.
    var secrets: [String] { sasl.map { [$0.password] } ?? [] }
}
