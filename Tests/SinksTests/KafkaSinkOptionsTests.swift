import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMSinks

/// The `kafka` sink's options: what each combination becomes in librdkafka's terms, and the
/// combinations refused before anything connects.
@Suite struct KafkaSinkOptionsTests {
    static func options(_ json: String) throws -> KafkaSinkOptions {
        try KafkaSinkOptions.decode(from: JSONOptions(json))
    }

    static func settings(_ options: KafkaSinkOptions) -> [String: String] {
        Dictionary(options.producerConfig(caFile: options.caFile).librdkafkaSettings.map { ($0.key, $0.value) }) {
            _, last in last
        }
    }

    @Test func brokersWithoutAPortTakeTheDefaultPort() throws {
        let options = try Self.options(
            #"{"brokers":["a.example","b.example:19092","[2001:db8::1]:9094","2001:db8::2"],"topic":"t","default_port":9093}"#
        )
        #expect(
            options.bootstrapServers == ["a.example:9093", "b.example:19092", "[2001:db8::1]:9094", "2001:db8::2:9093"])
    }

    @Test func theDefaultsArePlaintextIdempotentAndBounded() throws {
        let settings = Self.settings(try Self.options(#"{"brokers":["k:9092"],"topic":"t"}"#))
        #expect(settings["security.protocol"] == "plaintext")
        #expect(settings["enable.idempotence"] == "true")
        #expect(settings["acks"] == "all")
        #expect(settings["compression.type"] == "none")
        #expect(settings["queue.buffering.max.kbytes"] == "65536")
        #expect(settings["message.max.bytes"] == "1000000")
        #expect(settings["sasl.mechanism"] == nil)
    }

    @Test func tlsAndSASLBecomeTheSecurityProtocol() throws {
        let scram = Self.settings(
            try Self.options(
                #"{"brokers":["k"],"topic":"t","tls":true,"sasl_mechanism":"scram-sha-512","sasl_username":"u","sasl_password":"p4ssw0rd","compression":"zstd"}"#
            ))
        #expect(scram["security.protocol"] == "sasl_ssl")
        #expect(scram["sasl.mechanism"] == "SCRAM-SHA-512")
        #expect(scram["sasl.username"] == "u")
        #expect(scram["ssl.endpoint.identification.algorithm"] == "https")
        #expect(scram["compression.type"] == "zstd")
        let plainText = Self.settings(
            try Self.options(
                #"{"brokers":["k"],"topic":"t","sasl_mechanism":"scram-sha-256","sasl_username":"u","sasl_password":"p4ssw0rd"}"#
            ))
        #expect(plainText["security.protocol"] == "sasl_plaintext")
        #expect(
            Self.settings(try Self.options(#"{"brokers":["k"],"topic":"t","tls":true}"#))["security.protocol"] == "ssl")
    }

    @Test(arguments: [
        (#"{"brokers":[],"topic":"t"}"#, "brokers: needs at least one broker"),
        (#"{"brokers":["kafka://k:9092"],"topic":"t"}"#, "brokers: 'kafka://k:9092' is not HOST or HOST:PORT"),
        (#"{"brokers":["k:99999"],"topic":"t"}"#, "brokers: 'k:99999' has no valid port"),
        (#"{"brokers":["k"]}"#, "topic: is required"),
        (#"{"brokers":["k"],"topic":"t","ca_file":"ca.pem"}"#, "ca_file: only applies with tls: true"),
        (
            #"{"brokers":["k"],"topic":"t","sasl_mechanism":"plain","sasl_username":"u","sasl_password":"p4ssw0rd"}"#,
            "sasl_mechanism: plain sends the password as it is: use it with tls: true"
        ),
        (
            #"{"brokers":["k"],"topic":"t","tls":true,"sasl_mechanism":"plain","sasl_username":"u"}"#,
            "sasl_password: sasl_mechanism plain needs a password"
        ),
        (
            #"{"brokers":["k"],"topic":"t","sasl_password":"p4ssw0rd"}"#,
            "sasl_password: set, but sasl_mechanism is none"
        ),
        (
            #"{"brokers":["k"],"topic":"t","batch_bytes":2000000}"#,
            "batch_bytes: must be at most max_message_bytes (1000000)"
        ),
        (#"{"brokers":["k"],"topic":"t","compression":"snappy"}"#, "compression"),
    ])
    func aWrongCombinationIsRefusedNamingItsKey(json: String, message: String) {
        do {
            _ = try Self.options(json)
            Issue.record("accepted: \(json)")
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }
}
