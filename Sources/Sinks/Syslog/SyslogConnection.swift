import CLibCrypto
import SIEMCore

#if canImport(Glibc)
    import Glibc
#endif

/// One connection to a syslog receiver: UDP (RFC 5426: one message per datagram), TCP with
/// octet-counting framing (RFC 6587 §3.4.1: `MSG-LEN SP SYSLOG-MSG`) or TLS (RFC 5425, the same
/// framing; certificate and host name always verified). Blocking; used from one thread.
/// How syslog messages travel.
public enum SyslogTransport: String, OptionChoice, Sendable { case udp, tcp, tls }

final class SyslogConnection {
    typealias Transport = SyslogTransport

    struct Failure: Error { let message: String }

    private var fd: Int32 = -1
    private var ssl: OpaquePointer?
    private var context: OpaquePointer?
    let transport: Transport
    let host: String
    let port: String

    init(transport: Transport, host: String, port: String, caFile: String?, timeoutMS: Int) throws(Failure) {
        self.transport = transport
        self.host = host
        self.port = port
        var hints = addrinfo()
        hints.ai_socktype = Int32(transport == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, port, &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let socketFD = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if socketFD >= 0 {
                var timeout = timeval(tv_sec: timeoutMS / 1_000, tv_usec: (timeoutMS % 1_000) * 1_000)
                setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if connect(socketFD, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    fd = socketFD
                    break
                }
                lastError = String(cString: strerror(errno))
                close(socketFD)
            }
            candidate = info.pointee.ai_next
        }
        guard fd >= 0 else { throw Failure(message: "cannot connect to \(host):\(port): \(lastError)") }
        if transport == .tls { try startTLS(caFile: caFile) }
    }

    deinit { shutdown() }

    private func startTLS(caFile: String?) throws(Failure) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure(message: "TLS: no context") }
        self.context = context
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded =
            caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard loaded == 1 else { throw Failure(message: "TLS: cannot load the CA bundle \(caFile ?? "(system)")") }
        guard let ssl = SSL_new(context) else { throw Failure(message: "TLS: no session") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        var probe = in6_addr()
        let isAddress = inet_pton(AF_INET, host, &probe) == 1 || inet_pton(AF_INET6, host, &probe) == 1
        if isAddress {
            // An address is checked against the certificate's IP SANs, and sent no SNI (RFC 6066 §3).
            _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            // OpenSSL copies the name; the C string only has to live for the call.
            _ = host.withCString {
                SSL_ctrl(
                    ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name),
                    UnsafeMutableRawPointer(mutating: $0))
            }
            _ = SSL_set1_host(ssl, host)
        }
        guard SSL_connect(ssl) == 1 else {
            let code = ERR_get_error()
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Failure(message: "TLS handshake with \(host):\(port) failed: \(reason)")
        }
    }

    /// Sends `messages` (each without a line break) in the transport's framing.
    func send(_ messages: [ArraySlice<UInt8>]) throws(Failure) {
        switch transport {
        case .udp:
            for message in messages {
                let sent = message.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent == message.count else {
                    throw Failure(message: "UDP send to \(host):\(port) failed: \(String(cString: strerror(errno)))")
                }
            }
        case .tcp, .tls:
            var frames: [UInt8] = []
            frames.reserveCapacity(messages.reduce(0) { $0 + $1.count + 8 })
            for message in messages {
                frames += Array(String(message.count).utf8)
                frames.append(UInt8(ascii: " "))
                frames += message
            }
            try write(frames)
        }
    }

    private func write(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n: Int = bytes.withUnsafeBytes { raw in
                let start = raw.baseAddress! + offset
                let count = raw.count - offset
                if let ssl { return Int(SSL_write(ssl, start, Int32(min(count, Int(Int32.max))))) }
                return Glibc.send(fd, start, count, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else {
                throw Failure(message: "write to \(host):\(port) failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    func shutdown() {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
            self.ssl = nil
        }
        if let context {
            SSL_CTX_free(context)
            self.context = nil
        }
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }
}
