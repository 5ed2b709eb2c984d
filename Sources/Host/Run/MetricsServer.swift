import Foundation
import SIEMCore

#if canImport(Glibc)
    import Glibc
#endif

/// `metrics.listen`: `PORT` (on 127.0.0.1) or `HOST:PORT` with an IPv4 host. Loopback is the
/// default, so the endpoint is not on the network unless an operator names another address.
struct MetricsListenAddress: Equatable {
    var host: String
    var port: UInt16

    init?(_ text: String) {
        if !text.contains(":"), let port = UInt16(text) {
            host = "127.0.0.1"
            self.port = port
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        var address = in_addr()
        guard inet_pton(AF_INET, String(parts[0]), &address) == 1 else { return nil }
        host = String(parts[0])
        self.port = port
    }
}

/// Serves `GET /metrics` in the Prometheus text format on a thread of its own, one request per
/// connection. Small on purpose: a scrape every few seconds is all it must carry.
final class MetricsServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let metrics: RunMetrics

    init(address: MetricsListenAddress, metrics: RunMetrics) throws {
        self.metrics = metrics
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("socket", address) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = address.port.bigEndian
        inet_pton(AF_INET, address.host, &sin.sin_addr)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = Self.failure("bind", address)
            close(fd)
            throw error
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        let thread = Thread { [self] in serve() }
        thread.name = "siem-export.metrics"
        thread.start()
    }

    private static func failure(_ call: String, _ address: MetricsListenAddress) -> SIEMError {
        SIEMError.config(
            location: "metrics.listen",
            message: "cannot listen on \(address.host):\(address.port): \(call): \(String(cString: strerror(errno)))")
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            answer(connection)
            close(connection)
        }
    }

    private func answer(_ connection: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while request.count < 16_384 {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            request += chunk[..<n]
            if request.count >= 4 && request.suffix(4) == [13, 10, 13, 10] { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let (status, type, body): (String, String, String)
        if line.hasPrefix("GET /metrics ") || line == "GET /metrics" {
            (status, type, body) = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.prometheusText())
        } else {
            (status, type, body) = ("404 Not Found", "text/plain; charset=utf-8", "try GET /metrics\n")
        }
        let response = Array(
            "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                .utf8)
        var sent = 0
        while sent < response.count {
            let n = response[sent...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { return }
            sent += n
        }
    }
}
