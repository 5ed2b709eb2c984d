import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A JSON-lines file of what could not be delivered (rows that cannot become events, events a
/// receiver refused), each line fsynced before any checkpoint passes what it holds: set aside
/// with a trace, never dropped. Lines pass through the output redaction, so a receiver's reason
/// that quotes a credential is written without it.
public final class DeadLetterFile: @unchecked Sendable {
    public let path: String
    private let output: FileDescriptorOutput

    /// Opens (creates) the file for appending; a torn last line left by a killed run is cut off
    /// first, and `warn` told how many bytes went.
    public init(path: String, warn: (String) -> Void = { _ in }) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SIEMError.output(
                path: path, message: "cannot open dead-letter file: \(FileDescriptorOutput.describeErrno())")
        }
        output = FileDescriptorOutput(fd: fd, name: path)
        let cut = try output.repairTornTail()
        if cut > 0 { warn("cut \(cut) byte(s) of a torn last line off \(path) (left by an interrupted run)") }
    }

    deinit { output.closeDescriptor() }

    /// Appends whole JSON lines the caller rendered, redacted, and fsyncs them.
    public func appendLines(_ lines: [UInt8]) throws {
        try output.writeBatch(OutputRedaction.shared.apply(lines), sync: true)
    }
}
