import CRdKafka
import SIEMCore

/// A Kafka failure: librdkafka's error name, a one-line message for people, and what the caller
/// should do about it (`kind`).
///
/// Messages never hold a secret: every text that comes from librdkafka passes through the
/// producer's own `OutputRedaction` (the SASL password) before it lands here.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the caller does next; the four answers a sink needs.
    public enum Kind: String, Sendable, Equatable {
        /// Try again later, the same message may then succeed: timeouts, lost connections, all
        /// brokers down, leader elections, a producer that was closed.
        case retryable
        /// Permanent for this one message only (too large, invalid record): dead-letter it and go
        /// on with the others.
        case refusedMessage
        /// The idempotent producer raised a fatal error (`rd_kafka_fatal_error`) and can no
        /// longer keep its ordering and no-duplicate guarantees: close it, build a new one, and
        /// re-send from the checkpoint.
        case fatal
        /// Concerns every message: a refused setting, an unknown topic, failed authentication or
        /// authorization. Retrying does not help until the configuration or the cluster changes.
        case configuration
    }

    public var kind: Kind
    /// librdkafka's name for the error (`rd_kafka_err2name`): `MSG_SIZE_TOO_LARGE` for a broker
    /// error, `_MSG_TIMED_OUT` (leading underscore) for one librdkafka raised itself.
    public var name: String
    /// One line that says what happened and where, without secrets.
    public var message: String

    public init(kind: Kind, name: String, message: String) {
        self.kind = kind
        self.name = name
        self.message = message
    }

    /// An error with librdkafka's name for `code` and the kind `KafkaError.kind(of:)` gives it.
    init(code: rd_kafka_resp_err_t, message: String) {
        self.init(kind: Self.kind(of: code), name: Self.name(of: code), message: message)
    }

    public var description: String { "\(message) (\(name))" }

    static func name(of code: rd_kafka_resp_err_t) -> String { String(cString: rd_kafka_err2name(code)) }

    /// librdkafka's own text for `code` (`rd_kafka_err2str`), e.g. "Local: Message timed out".
    static func text(of code: rd_kafka_resp_err_t) -> String { String(cString: rd_kafka_err2str(code)) }

    /// The kind of a librdkafka or broker error code when the producer has not raised a fatal
    /// error, from librdkafka's INTRODUCTION.md, "Message
    /// reliability": errors librdkafka itself retries (temporary broker errors, stale metadata,
    /// timeouts) are retryable once they reach the application too, because the message may
    /// still succeed later; its list of "permanent errors" splits into the ones that concern one
    /// message (size, corrupt or invalid record) and the ones that concern every message
    /// (unknown topic, authorization, required acks). A code in none of the lists is treated as
    /// retryable: wrongly dead-lettering an event loses it, while a retry that keeps failing is
    /// visible and stops nothing silently.
    static func kind(of code: rd_kafka_resp_err_t) -> Kind {
        switch code {
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE,
            RD_KAFKA_RESP_ERR_INVALID_RECORD, RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE,
            RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP, RD_KAFKA_RESP_ERR__BAD_MSG, RD_KAFKA_RESP_ERR__KEY_SERIALIZATION,
            RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION:
            return .refusedMessage
        case RD_KAFKA_RESP_ERR__FATAL:
            // The underlying code of a fatal error (OUT_OF_ORDER_SEQUENCE_NUMBER, …) is not fatal
            // by itself; the producer asks rd_kafka_fatal_error() and builds `.fatal` errors.
            return .fatal
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
            RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
            RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM,
            RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE, RD_KAFKA_RESP_ERR__SSL, RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS,
            RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT, RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE,
            RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
            RD_KAFKA_RESP_ERR_POLICY_VIOLATION,
            RD_KAFKA_RESP_ERR_SECURITY_DISABLED, RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE,
            RD_KAFKA_RESP_ERR__NOT_CONFIGURED, RD_KAFKA_RESP_ERR__CONFLICT, RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED:
            return .configuration
        default:
            // Among them the ones librdkafka documents as temporary: _MSG_TIMED_OUT,
            // _TIMED_OUT_QUEUE, _TIMED_OUT, _TRANSPORT, _ALL_BROKERS_DOWN, _QUEUE_FULL,
            // _PURGE_QUEUE/_INFLIGHT, _DESTROY, LEADER_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION,
            // REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), NETWORK_EXCEPTION,
            // KAFKA_STORAGE_ERROR, THROTTLING_QUOTA_EXCEEDED.
            return .retryable
        }
    }
}
