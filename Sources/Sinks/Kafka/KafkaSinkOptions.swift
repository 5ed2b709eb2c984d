import SIEMCore

/// The `kafka` sink's keys. Some settings are not options: the producer is always idempotent
/// with `acks=all`, never creates topics, and always verifies a TLS broker's certificate and
/// host name (`KafkaProducerConfig`).
public struct KafkaSinkOptions: PluginOptions {
    /// What each message's key is; Kafka partitions by it, so a partition keeps its keys' order.
    public enum Key: String, OptionChoice {
        /// The event id in decimal: re-sends of an event land on its partition again.
        case eventID = "event_id"
        /// `<origin>:<event id>` (the registry id first), unique across registries sharing a topic.
        case originEventID = "origin_event_id"
        /// No key: librdkafka spreads messages over the partitions.
        case none
    }

    /// The SASL mechanisms that take a user name and a password.
    public enum SASLMechanism: String, OptionChoice {
        case none
        case plain
        case scramSHA256 = "scram-sha-256"
        case scramSHA512 = "scram-sha-512"
    }

    public var brokers: [String] = []
    public var defaultPort = 9092
    public var topic = ""
    public var key = Key.eventID
    public var compression = KafkaProducerConfig.Compression.none
    public var tls = false
    public var caFile: String?
    public var saslMechanism = SASLMechanism.none
    public var saslUsername: String?
    public var saslPassword: String?
    public var clientID = "siem-export"
    public var messageTimeoutMS = 120_000
    public var maxMessageBytes = 1_000_000
    public var lingerMS = 5
    public var batchBytes = 1_000_000
    public var queueMaxMessages = 100_000
    public var queueMaxKilobytes = 65_536
    public var connectionsMaxIdleMS: Int?
    public var connectTimeoutMS = 10_000

    public static let specs: [OptionSpec<KafkaSinkOptions>] = [
        .init(
            "brokers", \.brokers,
            help: "bootstrap brokers as HOST or HOST:PORT; the client learns the others from them",
            required: true, check: brokerProblem),
        .init("default_port", \.defaultPort, help: "port of a broker written without one", range: 1...65_535),
        .init(
            "topic", \.topic, help: "topic every record goes to; it must exist (the sink never creates topics)",
            required: true),
        .init(
            "key", \.key,
            help:
                "message key: event_id, origin_event_id (<registry id>:<event id>) or none; a partition keeps its keys' order"
        ),
        .init("compression", \.compression, help: "none, gzip, lz4 or zstd (per batch of messages, by librdkafka)"),
        .init("tls", \.tls, help: "connect with TLS; the broker's certificate and host name are always verified"),
        .init(
            "ca_file", \.caFile, help: "PEM file of CAs to trust for TLS besides the system's (relative to the config)"),
        .init(
            "sasl_mechanism", \.saslMechanism,
            help: "none, plain (only with tls: it sends the password as it is), scram-sha-256 or scram-sha-512"),
        .init("sasl_username", \.saslUsername, help: "SASL user name"),
        .init("sasl_password", \.saslPassword, help: "SASL password", secret: true),
        .init(
            "client_id", \.clientID, help: "client.id, shown in the brokers' logs and quotas",
            check: OptionRules.nonEmpty),
        .init(
            "message_timeout_ms", \.messageTimeoutMS,
            help:
                "how long librdkafka may retry a message (brokers down, leader elections); then the batch fails and its checkpoint stays",
            range: 1_000...3_600_000),
        .init(
            "max_message_bytes", \.maxMessageBytes,
            help:
                "largest produce request, and so message; a record that cannot fit is dead-lettered unsent (message.max.bytes)",
            range: 1_000...1_000_000_000),
        .init("linger_ms", \.lingerMS, help: "how long messages wait to fill a batch (linger.ms)", range: 0...900_000),
        .init(
            "batch_bytes", \.batchBytes, help: "most bytes of messages in one batch per partition (batch.size)",
            range: 1_000...1_000_000_000),
        .init(
            "queue_max_messages", \.queueMaxMessages,
            help: "most messages waiting in librdkafka at once; a full queue makes delivery wait, never grow",
            range: 1...10_000_000),
        .init(
            "queue_max_kbytes", \.queueMaxKilobytes,
            help: "most kilobytes waiting in librdkafka at once (64 MiB by default, bounding memory)",
            range: 1...2_097_151),
        .init(
            "connections_max_idle_ms", \.connectionsMaxIdleMS,
            help: "close a broker connection idle this long (Event Hubs drops idle ones after 240 s)",
            check: { ($0 ?? 0) < 0 ? "must not be negative" : nil }),
        .init(
            "connect_timeout_ms", \.connectTimeoutMS,
            help: "how long the check at start waits for a broker to describe the topic", range: 100...600_000),
    ]

    public init() {}

    public func validateCombination() throws {
        if caFile != nil && !tls {
            throw SIEMError.invalidOption(key: "ca_file", message: "only applies with tls: true")
        }
        switch saslMechanism {
        case .none:
            for (key, value) in [("sasl_username", saslUsername), ("sasl_password", saslPassword)] where value != nil {
                throw SIEMError.invalidOption(key: key, message: "set, but sasl_mechanism is none")
            }
        case .plain, .scramSHA256, .scramSHA512:
            if (saslUsername ?? "").isEmpty {
                throw SIEMError.invalidOption(
                    key: "sasl_username", message: "sasl_mechanism \(saslMechanism.rawValue) needs a user name")
            }
            if (saslPassword ?? "").isEmpty {
                throw SIEMError.invalidOption(
                    key: "sasl_password", message: "sasl_mechanism \(saslMechanism.rawValue) needs a password")
            }
            // PLAIN sends the password itself (RFC 4616); SCRAM proves it without sending it.
            if saslMechanism == .plain && !tls {
                throw SIEMError.invalidOption(
                    key: "sasl_mechanism", message: "plain sends the password as it is: use it with tls: true")
            }
        }
        if batchBytes > maxMessageBytes {
            throw SIEMError.invalidOption(
                key: "batch_bytes", message: "must be at most max_message_bytes (\(maxMessageBytes))")
        }
    }

    /// The bootstrap servers as librdkafka takes them: each with its port.
    public var bootstrapServers: [String] {
        brokers.map { broker in Self.hasPort(broker) ? broker : "\(broker):\(defaultPort)" }
    }

    /// The producer these options describe; `caFile` already resolved against the config.
    public func producerConfig(caFile resolvedCAFile: String?) -> KafkaProducerConfig {
        var config = KafkaProducerConfig(bootstrapServers: bootstrapServers, topic: topic)
        config.clientID = clientID
        config.compression = compression
        config.messageTimeoutMS = messageTimeoutMS
        config.messageMaxBytes = maxMessageBytes
        config.lingerMS = lingerMS
        config.batchSize = batchBytes
        config.queueMaxMessages = queueMaxMessages
        config.queueMaxKilobytes = queueMaxKilobytes
        config.connectionsMaxIdleMS = connectionsMaxIdleMS
        config.sslCALocation = resolvedCAFile
        let mechanism: KafkaProducerConfig.SASLMechanism?
        switch saslMechanism {
        case .none: mechanism = nil
        case .plain: mechanism = .plain
        case .scramSHA256: mechanism = .scramSHA256
        case .scramSHA512: mechanism = .scramSHA512
        }
        switch (tls, mechanism) {
        case (false, nil): config.securityProtocol = .plaintext
        case (true, nil): config.securityProtocol = .ssl
        case (false, _?): config.securityProtocol = .saslPlaintext
        case (true, _?): config.securityProtocol = .saslSSL
        }
        if let mechanism {
            config.sasl = .init(mechanism: mechanism, username: saslUsername ?? "", password: saslPassword ?? "")
        }
        return config
    }

    /// What is wrong with the broker list, nil when every entry is a host with an optional port.
    @Sendable static func brokerProblem(_ brokers: [String]) -> String? {
        if brokers.isEmpty { return "needs at least one broker" }
        for broker in brokers {
            if broker.isEmpty || broker.contains(where: { $0 == " " || $0 == "," || $0 == "/" }) {
                return "'\(broker)' is not HOST or HOST:PORT (one broker per entry, no scheme)"
            }
            if hasPort(broker) {
                let port = broker[broker.index(after: broker.lastIndex(of: ":")!)...]
                guard let number = Int(port), (1...65_535).contains(number) else {
                    return "'\(broker)' has no valid port"
                }
            }
        }
        return nil
    }

    /// `host:port` or `[v6]:port`; a bare IPv6 address (several colons, no brackets) has none.
    static func hasPort(_ broker: String) -> Bool {
        if broker.hasPrefix("[") { return broker.contains("]:") }
        return broker.count(where: { $0 == ":" }) == 1
    }
}

extension KafkaProducerConfig.Compression: OptionChoice {}
