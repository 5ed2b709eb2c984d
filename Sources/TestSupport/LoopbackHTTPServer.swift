import CLibCrypto
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for sink tests, with optional TLS (OpenSSL).
///
/// Each test starts its own on a free port and stops it. The handler decides every answer, so a
/// test can play an ingest API's contract and inject faults: an error status, a `Retry-After`, an
/// answer slower than the client's timeout, or a connection dropped without an answer. Every
/// request is recorded. Keep-alive is supported, so connection reuse is observable.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var target: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        /// Which accepted connection carried it (0, 1, …), to see connection reuse.
        public var connection: Int

        public func header(_ name: String) -> String? {
            headers.last { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// The body, gunzipped when `Content-Encoding: gzip`.
        public var decodedBody: [UInt8] {
            header("Content-Encoding") == "gzip" ? (Gunzip.decompress(body) ?? []) : body
        }

        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
    }

    public indirect enum Reply: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        case delay(seconds: Double, then: Reply)
        /// Close the connection without answering.
        case drop

        public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
            .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
        }
    }

    public let port: Int
    public var baseURL: String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)" }
    public var requests: [Request] { recorded.withLock { $0 } }

    private let listener: Int32
    private let tls: OpaquePointer?
    private let handler: @Sendable (Request) -> Reply
    private let recorded = Mutex<[Request]>([])
    /// Off in the benchmark's receiver, which would otherwise keep every body it is sent.
    private let recordsRequests: Bool
    private let openConnections = Mutex<Set<Int32>>([])
    private let connectionCount = Mutex(0)
    private let stopped = Mutex(false)

    /// `certificateChain`/`privateKey` are PEM files; with them the server speaks TLS only. With
    /// `clientCA` it also demands a client certificate signed by that CA (mutual TLS).
    public init(
        certificateChain: String? = nil, privateKey: String? = nil, clientCA: String? = nil,
        recordsRequests: Bool = true, handler: @escaping @Sendable (Request) -> Reply
    ) throws {
        signal(SIGPIPE, SIG_IGN)
        self.handler = handler
        self.recordsRequests = recordsRequests
        if let certificateChain, let privateKey {
            guard let context = SSL_CTX_new(TLS_server_method()),
                SSL_CTX_use_certificate_chain_file(context, certificateChain) == 1,
                SSL_CTX_use_PrivateKey_file(context, privateKey, SSL_FILETYPE_PEM) == 1
            else { throw ServerError("cannot load the TLS certificate or key") }
            if let clientCA {
                guard SSL_CTX_load_verify_locations(context, clientCA, nil) == 1 else {
                    throw ServerError("cannot load the client CA")
                }
                SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            }
            tls = context
        } else {
            tls = nil
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ServerError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Closes the listening socket and every open connection.
    public func stop() {
        let already = stopped.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        guard !already else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in openConnections.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let index = connectionCount.withLock { value -> Int in
                defer { value += 1 }
                return value
            }
            openConnections.withLock { _ = $0.insert(fd) }
            let thread = Thread { [self] in
                serve(fd: fd, index: index)
                openConnections.withLock { _ = $0.remove(fd) }
                close(fd)
            }
            thread.start()
        }
    }

    private func serve(fd: Int32, index: Int) {
        guard let connection = Connection(fd: fd, tls: tls) else { return }
        defer { connection.close() }
        var buffer: [UInt8] = []
        while true {
            guard let request = readRequest(connection, &buffer, index: index) else { return }
            if recordsRequests { recorded.withLock { $0.append(request) } }
            var reply = handler(request)
            while case .delay(let seconds, let then) = reply {
                Thread.sleep(forTimeInterval: seconds)
                reply = then
            }
            guard case .respond(let status, let headers, let body) = reply else { return }
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            guard connection.write(Array(head.utf8) + body) else { return }
            if request.header("Connection")?.lowercased() == "close" { return }
        }
    }

    private func readRequest(_ connection: Connection, _ buffer: inout [UInt8], index: Int) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = Self.find(separator, in: buffer)
            if headerEnd == nil { guard connection.read(into: &buffer) else { return nil } }
        }
        let head = String(decoding: buffer[..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.last { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
        let bodyStart = headerEnd! + 4
        // The body is received straight into its own array: megabyte bodies are not copied
        // through the read buffer again.
        struct Closed: Error {}
        let already = min(buffer.count - bodyStart, length)
        guard
            let body = try? [UInt8](
                unsafeUninitializedCapacity: length,
                initializingWith: { raw, count in
                    if already > 0 {
                        buffer.withUnsafeBytes {
                            raw.baseAddress!.initialize(
                                from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self) + bodyStart, count: already)
                        }
                    }
                    count = already
                    while count < length {
                        let n = connection.receive(into: raw.baseAddress! + count, count: length - count)
                        guard n > 0 else { throw Closed() }
                        count += n
                    }
                })
        else { return nil }
        buffer.removeFirst(bodyStart + already)
        return Request(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body,
            connection: index)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 413: return "Payload Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    /// One accepted socket, plain or TLS.
    private final class Connection {
        let fd: Int32
        let ssl: OpaquePointer?

        init?(fd: Int32, tls: OpaquePointer?) {
            self.fd = fd
            guard let tls else {
                ssl = nil
                return
            }
            guard let ssl = SSL_new(tls) else { return nil }
            SSL_set_fd(ssl, fd)
            guard SSL_accept(ssl) == 1 else {
                SSL_free(ssl)
                return nil
            }
            self.ssl = ssl
        }

        /// Reused for every read: the benchmark's receiver takes megabytes a second through it.
        private var chunk = [UInt8](repeating: 0, count: 262_144)

        func read(into buffer: inout [UInt8]) -> Bool {
            let n = chunk.withUnsafeMutableBufferPointer { receive(into: $0.baseAddress!, count: $0.count) }
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[..<n])
            return true
        }

        /// Receives at most `count` bytes into `pointer`; the number received, 0 or less at the end.
        func receive(into pointer: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
            if let ssl { return Int(SSL_read(ssl, pointer, Int32(min(count, Int(Int32.max))))) }
            return recv(fd, pointer, count, 0)
        }

        func write(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n: Int
                    if let ssl {
                        n = Int(SSL_write(ssl, raw.baseAddress! + offset, Int32(raw.count - offset)))
                    } else {
                        n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    }
                    if n <= 0 { return false }
                    offset += n
                }
                return true
            }
        }

        func close() {
            if let ssl {
                SSL_shutdown(ssl)
                SSL_free(ssl)
            }
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
