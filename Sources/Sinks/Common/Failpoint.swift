#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Places where a test can stop the real binary, to kill it at an exact moment (the model is
/// etcd's gofail): `SIEM_EXPORT_FAILPOINT=stop-mid-write:<file name suffix>` stops the process
/// (SIGSTOP) halfway through writing a batch to a file whose path ends so. Unset, nothing happens.
enum Failpoint {
    static let midWriteSuffix: String? = {
        guard let raw = getenv("SIEM_EXPORT_FAILPOINT") else { return nil }
        let value = String(cString: raw)
        let prefix = "stop-mid-write:"
        return value.hasPrefix(prefix) ? String(value.dropFirst(prefix.count)) : nil
    }()

    static func stopsMidWrite(of path: String) -> Bool {
        guard let suffix = midWriteSuffix else { return false }
        return path.hasSuffix(suffix)
    }

    /// Stops this process until it is continued or killed.
    static func stop() { raise(SIGSTOP) }
}
