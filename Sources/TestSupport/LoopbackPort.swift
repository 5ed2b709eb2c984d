import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Waiting for a server a test started as a process (openssl s_server, rsyslogd) to listen, by
/// connecting to it, instead of sleeping a guessed time that a busy machine overruns.
public enum LoopbackPort {
    /// True once a TCP connection to 127.0.0.1:`port` succeeds (it is closed at once), false
    /// after `timeout` seconds. The probe is one accepted connection the server sees.
    public static func waitUntilListening(_ port: Int, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
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
}
