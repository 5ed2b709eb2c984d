import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// JSON lines to standard output, for piping into a forwarder or `jq`.
public struct StdoutSink: EventSink {
    public static let id = "stdout"
    public static let summary = "JSON lines to standard output, one record per line, each batch written whole"
    public typealias Options = NoOptions

    public static func framings(for options: NoOptions) -> [Framing] { [.ndjson, .lines, .otlpLogs] }

    let output: FileDescriptorOutput

    public init(options: NoOptions, context: PluginContext) throws {
        output = FileDescriptorOutput(fd: STDOUT_FILENO, name: "standard output", isStandardOutput: true)
    }

    /// Writing to another descriptor than standard output: for tests.
    init(fileDescriptor: Int32) {
        output = FileDescriptorOutput(fd: fileDescriptor, name: "standard output", isStandardOutput: true)
    }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        try output.writeBatch(pieces: batch.linePieces, sync: false)
        return Delivery(accepted: batch.count)
    }

    public var destination: String { "standard output" }
}
