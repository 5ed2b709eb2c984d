import CRdKafka
import Foundation
import SIEMCore

/// Receives librdkafka's log lines: syslog level (3 error … 7 debug), facility (`FAIL`,
/// `REQTMOUT`, …) and text, with secrets already removed. May be called on any thread.
public typealias KafkaLogHandler = @Sendable (_ level: Int32, _ facility: String, _ message: String) -> Void

/// What librdkafka reports about the client besides delivery reports: errors (`error_cb`) and
/// log lines (`log_cb`). It is the conf's opaque, so it lives as long as the `rd_kafka_t`.
///
/// The error callback's errors are "usually of an informational nature" (INTRODUCTION.md,
/// "Threads and callbacks"): librdkafka recovers by itself. They are kept to explain a failed
/// connection check ("Connect to ipv4#127.0.0.1:1 failed: Connection refused") and passed
/// to the log handler. A log callback is always installed, so librdkafka never prints to
/// standard error on its own, past the redaction at our outputs.
final class KafkaClientEvents: @unchecked Sendable {
    struct ClientError: Sendable {
        var code: rd_kafka_resp_err_t
        var reason: String
    }

    let redaction: OutputRedaction
    private let log: KafkaLogHandler?
    private let lock = NSLock()
    private var latest: ClientError?
    private var allBrokersDown = false

    init(redaction: OutputRedaction, log: KafkaLogHandler?) {
        self.redaction = redaction
        self.log = log
    }

    /// The latest error other than `_ALL_BROKERS_DOWN`, which says less than the one before it.
    var latestError: ClientError? { lock.withLock { latest } }

    /// Whether librdkafka has reported every broker down since the producer started.
    var sawAllBrokersDown: Bool { lock.withLock { allBrokersDown } }

    fileprivate func record(_ code: rd_kafka_resp_err_t, _ reason: String) {
        let reason = redaction.apply(reason)
        lock.withLock {
            if code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN {
                allBrokersDown = true
            } else {
                latest = ClientError(code: code, reason: reason)
            }
        }
        log?(3, "ERROR", "\(reason) (\(KafkaError.name(of: code)))")
    }

    fileprivate func logLine(_ level: Int32, _ facility: String, _ message: String) {
        log?(level, facility, redaction.apply(message))
    }

    /// Makes this object the conf's opaque and installs the error and log callbacks; the
    /// caller keeps it alive until `rd_kafka_destroy` has returned.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> KafkaClientEvents? {
        opaque.map { Unmanaged<KafkaClientEvents>.fromOpaque($0).takeUnretainedValue() }
    }
}

private let kafkaErrorCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        KafkaClientEvents.from(opaque)?.record(rd_kafka_resp_err_t(code), reason.map { String(cString: $0) } ?? "")
    }

private let kafkaLogCallback:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void =
        { rk, level, facility, message in
            guard let rk else { return }
            KafkaClientEvents.from(rd_kafka_opaque(rk))?.logLine(
                level, facility.map { String(cString: $0) } ?? "", message.map { String(cString: $0) } ?? "")
        }
