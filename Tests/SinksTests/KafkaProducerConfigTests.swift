import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMSinks

/// `KafkaProducerConfig`: the librdkafka keys it produces, and refusals that name the key and
/// never show the password.
@Suite struct KafkaProducerConfigTests {
    static let password = "pa55-w0rd-never-shown"

    static func settings(_ config: KafkaProducerConfig) -> [String] {
        config.librdkafkaSettings.map { "\($0.key)=\($0.value)" }
    }

    static func saslConfig(_ protocol: KafkaProducerConfig.SecurityProtocol = .saslSSL) -> KafkaProducerConfig {
        var config = KafkaProducerConfig(bootstrapServers: ["127.0.0.1:1"], topic: "security-events")
        config.securityProtocol = `protocol`
        config.sasl = .init(mechanism: .scramSHA512, username: "exporter", password: password)
        return config
    }

    /// The error `body` throws, which must be a KafkaError.
    static func refusal(_ body: () throws -> Void) throws -> KafkaError {
        do {
            try body()
        } catch let error as KafkaError {
            return error
        }
        throw KafkaError(kind: .configuration, name: "none", message: "nothing was refused")
    }

    @Test func defaultsAreIdempotentAcksAllNoTopicCreationPlaintext() {
        let config = KafkaProducerConfig(bootstrapServers: ["kafka-1:9092", "kafka-2:9092"], topic: "security-events")
        #expect(
            Self.settings(config) == [
                "bootstrap.servers=kafka-1:9092,kafka-2:9092", "client.id=siem-export", "enable.idempotence=true",
                "acks=all", "allow.auto.create.topics=false", "compression.type=none", "message.timeout.ms=120000",
                "queue.buffering.max.messages=100000", "queue.buffering.max.kbytes=65536",
                "message.max.bytes=1000000", "linger.ms=5", "batch.size=1000000", "security.protocol=plaintext",
            ])
    }

    @Test func saslSSLWithSCRAMAndAPrivateCAVerifiesTheBroker() throws {
        var config = Self.saslConfig()
        config.sslCALocation = "/etc/siem-export/kafka-ca.pem"
        config.compression = .zstd
        config.connectionsMaxIdleMS = 180_000
        try config.validate()
        let settings = Self.settings(config)
        #expect(
            Array(settings.suffix(8)) == [
                "security.protocol=sasl_ssl", "connections.max.idle.ms=180000",
                "enable.ssl.certificate.verification=true",
                "ssl.endpoint.identification.algorithm=https", "ssl.ca.location=/etc/siem-export/kafka-ca.pem",
                "sasl.mechanism=SCRAM-SHA-512", "sasl.username=exporter", "sasl.password=\(Self.password)",
            ])
        #expect(settings.contains("compression.type=zstd"))
        #expect(KafkaProducerConfig.secretKeys == ["sasl.password"])
    }

    @Test func printingOrDumpingAConfigDoesNotShowThePassword() {
        let config = Self.saslConfig()
        var dumped = ""
        dump(config, to: &dumped)
        for text in [String(describing: config), String(reflecting: config), dumped] {
            #expect(!text.contains(Self.password), "\(text)")
        }
        #expect(String(describing: config.sasl!) == "SCRAM-SHA-512 user exporter (password not shown)")
    }

    @Test(arguments: KafkaProducerConfig.Compression.allCases)
    func librdkafkaAcceptsEveryCompression(_ compression: KafkaProducerConfig.Compression) async throws {
        var config = KafkaProducerConfig(bootstrapServers: ["127.0.0.1:1"], topic: "security-events")
        config.compression = compression
        try await KafkaProducer(config: config).close(timeout: .zero)
    }

    @Test(arguments: KafkaProducerConfig.SASLMechanism.allCases)
    func librdkafkaAcceptsEverySASLMechanismOverTLS(_ mechanism: KafkaProducerConfig.SASLMechanism) async throws {
        var config = Self.saslConfig()
        config.sasl?.mechanism = mechanism
        try await KafkaProducer(config: config).close(timeout: .zero)
    }

    @Test func aValueLibrdkafkaRefusesIsNamedByKeyWithoutThePassword() throws {
        var config = Self.saslConfig(.saslPlaintext)
        config.messageMaxBytes = 10
        let error = try Self.refusal { _ = try KafkaProducer(config: config) }
        #expect(error.kind == .configuration)
        #expect(error.message.hasPrefix("librdkafka refused message.max.bytes: "), "\(error)")
        #expect(error.message.contains("1000..1000000000"), "librdkafka's own reason: \(error)")
        #expect(!error.description.contains(Self.password))
    }

    @Test func aCAFileThatCannotBeReadOrIsNoCertificateIsNamedWithoutThePassword() throws {
        var config = Self.saslConfig()
        config.sslCALocation = "/nonexistent/kafka-ca.pem"
        let missing = try Self.refusal { _ = try KafkaProducer(config: config) }
        #expect(missing.kind == .configuration)
        #expect(missing.message == "ssl.ca.location /nonexistent/kafka-ca.pem cannot be read")

        let folder = try TemporaryDirectory("siem-kafka-ca")
        let garbage = folder.appending("ca.pem")
        try Data("not a certificate\n".utf8).write(to: garbage)
        config.sslCALocation = garbage.path
        let invalid = try Self.refusal { _ = try KafkaProducer(config: config) }
        #expect(invalid.kind == .configuration)
        #expect(
            invalid.message.hasPrefix("librdkafka refused the producer configuration: ssl.ca.location"), "\(invalid)")
        for error in [missing, invalid] { #expect(!error.description.contains(Self.password)) }
    }

    @Test func aRefusedSecretIsNamedButNeverQuoted() {
        let redaction = OutputRedaction()
        redaction.register(Self.password)
        let secret = KafkaNativeConfiguration.refusal(
            key: "sasl.password",
            librdkafkaReason: #"Invalid value "\#(Self.password)" for configuration property "sasl.password""#,
            unknownKey: false, redaction: redaction)
        #expect(secret.message == "librdkafka refused the value of sasl.password (value not shown)")
        let other = KafkaNativeConfiguration.refusal(
            key: "client.id", librdkafkaReason: #"Invalid value "\#(Self.password)""#, unknownKey: false,
            redaction: redaction)
        #expect(other.message == #"librdkafka refused client.id: Invalid value "[redacted]""#)
    }

    @Test func validateRefusesWhatLibrdkafkaWouldMisunderstand() throws {
        var config = KafkaProducerConfig(bootstrapServers: ["127.0.0.1:9092"], topic: "security-events")
        try config.validate()

        func message(_ change: (inout KafkaProducerConfig) -> Void) throws -> String {
            var changed = config
            change(&changed)
            let error = try Self.refusal { try changed.validate() }
            #expect(error.kind == .configuration)
            return error.message
        }
        #expect(try message { $0.bootstrapServers = [] }.hasPrefix("bootstrap.servers: "))
        #expect(try message { $0.topic = "" } == "topic: must not be empty")
        #expect(try message { $0.messageTimeoutMS = 0 }.hasPrefix("message.timeout.ms: must be above 0"))
        #expect(try message { $0.securityProtocol = .saslSSL }.hasPrefix("sasl: security.protocol sasl_ssl needs"))
        #expect(try message { $0.sslCALocation = "/ca.pem" }.hasPrefix("ssl.ca.location: set, but"))
        #expect(
            try message { $0.sasl = .init(mechanism: .plain, username: "u", password: "secret-value") }
                == "sasl: set, but security.protocol plaintext does not use SASL")

        config = Self.saslConfig()
        #expect(try message { $0.sasl?.username = "" } == "sasl: SCRAM-SHA-512 needs both a user name and a password")
        let nul = try message { $0.sasl?.password = "pa55\u{0}word" }
        #expect(nul == "sasl.password: contains a NUL character")
    }
}
