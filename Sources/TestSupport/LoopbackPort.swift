import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Waiting for a server a test started as a process (openssl s_server, rsyslogd) to listen, by
/// connecting to it, instead of sleeping a guessed time that a busy machine overruns.
public enum LoopbackPort {
    /// True once a TCP connection to 127.0.0.1:`port` succeeds (it is closed at once), false
    /// after `timeout` seconds or as soon as `running()` says the server has exited. The probe is
    /// one accepted connection the server sees.
    public static func waitUntilListening(
        _ port: Int, timeout: Double = 20, while running: () -> Bool = { true }
    ) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, running() {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return false }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if connected == 0 { return true }
            usleep(20_000)
        }
        return false
    }

    /// A TCP port on 127.0.0.1 that nothing listens on at the moment (bound, read, released).
    public static func freeTCP() throws -> Int { try free(Int32(SOCK_STREAM.rawValue)) }

    /// A UDP port on 127.0.0.1 that nothing is bound to at the moment. It says nothing of TCP:
    /// a server that listens on TCP needs `freeTCP()`.
    public static func freeUDP() throws -> Int { try free(Int32(SOCK_DGRAM.rawValue)) }

    private static func free(_ type: Int32) throws -> Int {
        let fd = socket(AF_INET, type, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                fd >= 0 && bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
