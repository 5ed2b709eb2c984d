import CRdKafka
import Foundation
import SIEMCore

/// librdkafka's `rd_kafka_conf_t`, built from `KafkaProducerConfig.librdkafkaSettings` with one
/// `rd_kafka_conf_set` per key, so that a refused value is reported with its key.
enum KafkaNativeConfiguration {
    /// A new conf with every setting applied. The caller owns it: `rd_kafka_new` takes it over
    /// when it succeeds, otherwise the caller destroys it.
    static func make(_ settings: [(key: String, value: String)], redaction: OutputRedaction) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(
                kind: .configuration, name: "_FAIL", message: "librdkafka could not allocate a configuration")
        }
        var reason = [CChar](repeating: 0, count: 512)
        for (key, value) in settings {
            reason[0] = 0
            let result = rd_kafka_conf_set(conf, key, value, &reason, reason.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let text = reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                throw refusal(
                    key: key, librdkafkaReason: text, unknownKey: result == RD_KAFKA_CONF_UNKNOWN, redaction: redaction)
            }
        }
        return conf
    }

    /// The error for a key librdkafka refused. librdkafka's reason quotes the value ("Invalid
    /// value "…" for configuration property …"), so for a secret key it is left out entirely,
    /// and for the others the known secrets are redacted from it.
    static func refusal(
        key: String, librdkafkaReason: String, unknownKey: Bool, redaction: OutputRedaction
    )
        -> KafkaError
    {
        let message: String
        if KafkaProducerConfig.secretKeys.contains(key) {
            message = "librdkafka refused the value of \(key) (value not shown)"
        } else if unknownKey {
            message = "librdkafka does not know the setting \(key): \(redaction.apply(librdkafkaReason))"
        } else {
            message = "librdkafka refused \(key): \(redaction.apply(librdkafkaReason))"
        }
        return KafkaError(kind: .configuration, name: "_INVALID_ARG", message: message)
    }

    /// What `KafkaProducer.init` would refuse, found without building a client, so nothing
    /// connects anywhere: for `siem-export validate`.
    static func check(_ config: KafkaProducerConfig) throws {
        try config.validate()
        try checkCALocation(of: config)
        let redaction = OutputRedaction()
        for secret in config.secrets { redaction.register(secret) }
        rd_kafka_conf_destroy(try make(config.librdkafkaSettings, redaction: redaction))
    }

    /// OpenSSL's words for a missing CA file ("x509 certificate routines::system lib") name
    /// neither the file nor the problem, so it is checked first.
    static func checkCALocation(of config: KafkaProducerConfig) throws {
        if let path = config.sslCALocation, access(path, R_OK) != 0 {
            throw KafkaError(
                kind: .configuration, name: "_INVALID_ARG", message: "ssl.ca.location \(path) cannot be read")
        }
    }
}
