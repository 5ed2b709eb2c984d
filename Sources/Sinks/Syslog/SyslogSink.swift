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
        public var address: String
        public var transport: SyslogTransport
        public var caFile: String?
        public var timeoutMS: Int
        public var maxRetries: Int
        public var retryInitialMS: Int
        public var retryMaxMS: Int

        public enum CodingKeys: String, OptionKey {
            case address, transport
            case caFile = "ca_file"
            case timeoutMS = "timeout_ms"
            case maxRetries = "max_retries"
            case retryInitialMS = "retry_initial_ms"
            case retryMaxMS = "retry_max_ms"

            public var help: String {
                switch self {
                case .address: return "receiver as HOST:PORT (IPv6 as [ADDR]:PORT)"
                case .transport: return "udp (lossy), tcp (octet counting) or tls (certificate and host name verified)"
                case .caFile: return "PEM bundle of CAs to trust for tls instead of the system's"
                case .timeoutMS: return "connect and send timeout"
                case .maxRetries: return "reconnects and re-sends of a failed batch before the run stops (0: none)"
                case .retryInitialMS: return "first back-off; doubled each retry, with jitter"
                case .retryMaxMS: return "longest back-off"
                }
            }
        }

        public init() {
            address = ""
            transport = .tcp
            caFile = nil
            timeoutMS = 10_000
            maxRetries = 8
            retryInitialMS = 500
            retryMaxMS = 60_000
        }

        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&address, .address)
            try c.update(&transport, .transport)
            try c.update(&caFile, .caFile)
            try c.update(&timeoutMS, .timeoutMS)
            try c.update(&maxRetries, .maxRetries)
            try c.update(&retryInitialMS, .retryInitialMS)
            try c.update(&retryMaxMS, .retryMaxMS)
        }

        public func validate() throws {
            guard Self.split(address) != nil else {
                throw SIEMError.invalidOption(key: "address", message: "'\(address)' is not HOST:PORT")
            }
            if caFile != nil && transport != .tls {
                throw SIEMError.invalidOption(key: "ca_file", message: "only applies to transport: tls")
            }
            if !(1...600_000).contains(timeoutMS) {
                throw SIEMError.invalidOption(key: "timeout_ms", message: "must be from 1 to 600000")
            }
            if !(0...1_000).contains(maxRetries) {
                throw SIEMError.invalidOption(key: "max_retries", message: "must be from 0 to 1000")
            }
            if retryInitialMS < 1 || retryMaxMS < retryInitialMS {
                throw SIEMError.invalidOption(key: "retry_max_ms", message: "must be at least retry_initial_ms (≥ 1)")
            }
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

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        let messages = (0..<batch.count).map { batch.record($0) }
        let policy = RetryPolicy(
            maxRetries: options.maxRetries, initialSeconds: Double(options.retryInitialMS) / 1_000,
            maxSeconds: Double(options.retryMaxMS) / 1_000)
        try await policy.run(sink: name) { _ -> RetryPolicy.Outcome<Void> in
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
        return Delivery(accepted: batch.count)
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
