import Dispatch
import Foundation
import SIEMCore

/// Sends each record as one syslog message to a receiver over UDP, TCP or TLS (use with the
/// `syslog` formatter, or `cef`), reconnecting with back-off.
///
/// What "delivered" means differs by transport, because syslog has no acknowledgement: over TCP
/// and TLS a batch counts once every byte is written to the connection (a connection that fails
/// mid-batch is re-opened and the whole batch sent again: at least once); over UDP once every
/// datagram is handed to the kernel (datagrams can be lost — use TCP or TLS for audit data).
public final class SyslogSink: EventSink, @unchecked Sendable {
    public static let id = "syslog"
    public static let summary = "Syslog receiver over UDP (RFC 5426), TCP (RFC 6587 octet counting) or TLS (RFC 5425)"

    public struct Options: PluginOptions {
        public var address = ""
        public var transport = SyslogTransport.tcp
        public var caFile: String?
        public var timeoutMS = 10_000
        public var retry = RetryOptions()

        public static let specs: [OptionSpec<Options>] =
            [
                .init(
                    "address", \.address, help: "receiver as HOST:PORT (IPv6 as [ADDR]:PORT)", required: true,
                    check: { split($0) == nil ? "'\($0)' is not HOST:PORT" : nil }),
                .init(
                    "transport", \.transport,
                    help: "udp (lossy), tcp (octet counting) or tls (certificate and host name verified)"),
                .init("ca_file", \.caFile, help: "PEM bundle of CAs to trust for tls instead of the system's"),
                .init("timeout_ms", \.timeoutMS, help: "connect and send timeout", range: 1...600_000),
            ] + .group(\.retry)

        public init() {}

        public func validateCombination() throws {
            if caFile != nil && transport != .tls {
                throw SIEMError.invalidOption(key: "ca_file", message: "only applies to transport: tls")
            }
            try retry.validateCombination()
        }

        /// `host:port` or `[v6]:port` → (host, port).
        static func split(_ address: String) -> (host: String, port: String)? {
            let host: Substring
            let port: Substring
            if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
                host = address[address.index(after: address.startIndex)..<close]
                let rest = address[address.index(after: close)...]
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            } else {
                guard let colon = address.lastIndex(of: ":") else { return nil }
                host = address[..<colon]
                port = address[address.index(after: colon)...]
            }
            guard !host.isEmpty, let number = Int(port), (1...65_535).contains(number) else { return nil }
            return (String(host), String(port))
        }
    }

    public static func framings(for options: Options) -> [Framing] { [.lines] }

    let options: Options
    let name: String
    let host: String
    let port: String
    private let queue = DispatchQueue(label: "siem-export.syslog")
    /// Touched only on `queue`.
    private var connection: SyslogConnection?
    private let dryRun: Bool

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        name = context.pipelineName ?? Self.id
        (host, port) = Options.split(options.address)!
        dryRun = context.dryRun
        if let caFile = options.caFile, access(context.resolve(path: caFile), R_OK) != 0 {
            throw SIEMError.config(location: caFile, message: "ca_file cannot be read")
        }
    }

    public var destination: String { "syslog+\(options.transport.rawValue)://\(options.address)" }

    /// Connects once at start-up, so a wrong address or certificate fails before any row is read.
    public func start() async throws {
        guard !dryRun else { return }
        do {
            try await onQueue { try self.connect() }
        } catch let failure as SyslogConnection.Failure {
            throw SIEMError.delivery(sink: name, message: failure.message, retryable: true)
        }
    }

    /// The largest UDP payload over IPv4 (65,535 − 8 − 20 bytes, RFC 768 and RFC 791): a longer
    /// message cannot be sent as one datagram at all (RFC 5426 §3.2).
    public static let maximumDatagramBytes = 65_507

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        // Over UDP a message that cannot be one datagram is refused before sending: without it,
        // one long event would fail the batch on every retry and stop the pipeline.
        var refused: [Refusal] = []
        var indices = Array(0..<batch.count)
        if options.transport == .udp {
            indices = indices.filter { index in
                let size = batch.record(index).count
                guard size > Self.maximumDatagramBytes else { return true }
                refused.append(
                    Refusal(
                        index: index,
                        reason:
                            "the message is \(size) bytes; a UDP datagram holds at most \(Self.maximumDatagramBytes) (not sent; use tcp or tls)"
                    ))
                return false
            }
        }
        let messages = indices.map { batch.record($0) }
        try await options.retry.policy.run(sink: name) { _ -> RetryPolicy.Outcome<Void> in
            do {
                try await self.onQueue {
                    if self.connection == nil { try self.connect() }
                    do {
                        try self.connection!.send(messages)
                    } catch {
                        self.connection = nil  // re-opened, and the batch sent again, on the next try
                        throw error
                    }
                }
                return .done(())
            } catch let failure as SyslogConnection.Failure {
                return .retry(reason: failure.message, retryAfter: nil)
            }
        }
        return Delivery(accepted: messages.count, refused: refused)
    }

    public func close() async throws {
        try await onQueue { self.connection = nil }
    }

    private func connect() throws {
        connection = try SyslogConnection(
            transport: options.transport, host: host, port: port, caFile: options.caFile, timeoutMS: options.timeoutMS)
    }

    private func onQueue(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
