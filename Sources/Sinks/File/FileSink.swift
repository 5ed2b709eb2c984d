import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// JSON lines appended to a file for a site forwarder (Splunk UF, Azure Monitor Agent, Filebeat)
/// to tail. Whole lines only; each batch is fsynced before the checkpoint may pass it.
public final class FileSink: EventSink, @unchecked Sendable {
    public static let id = "file"
    public static let summary =
        "JSON lines appended (or truncated at start) to a file; fsync per batch, never a half line"

    public struct Options: PluginOptions {
        public enum Mode: String, OptionChoice { case append, truncate }
        public enum Sync: String, OptionChoice { case batch, none }
        public var path = ""
        public var mode = Mode.append
        public var sync = Sync.batch

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "path", \.path, help: "output file (relative to the config file); its directory must exist",
                required: true),
            .init("mode", \.mode, help: "append: add to the file; truncate: empty it when the run starts"),
            .init(
                "sync", \.sync,
                help:
                    "batch: fsync before the checkpoint may pass a batch; none: leave flushing to the OS (one-shot exports)"
            ),
        ]

        public init() {}
    }

    /// A file holds lines: JSON documents, text records, or a batch's OTLP request per line.
    public static func framings(for options: Options) -> [Framing] { [.ndjson, .lines, .otlpLogs] }

    public let path: String
    private let sync: Bool
    private let output: FileDescriptorOutput?

    /// Opens (and creates) the file now, so an unwritable path fails before anything is read.
    /// In a dry run it only checks that it could.
    public init(options: Options, context: PluginContext) throws {
        path = context.resolve(path: options.path)
        sync = options.sync == .batch
        if context.dryRun {
            try Self.checkWritable(path)
            output = nil
            return
        }
        var flags = O_RDWR | O_CREAT | O_CLOEXEC
        flags |= options.mode == .append ? O_APPEND : O_TRUNC
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else {
            throw SIEMError.output(
                path: path, message: "cannot open for writing: \(FileDescriptorOutput.describeErrno())")
        }
        let output = FileDescriptorOutput(fd: fd, name: path)
        self.output = output
        // A run killed between two writes of a batch leaves half a record at the end: cut it off
        // before the first write, so the file holds whole lines only (the record is sent again,
        // its checkpoint never passed it).
        let cut = try output.repairTornTail()
        if cut > 0 { context.warn("cut \(cut) byte(s) of a torn last line off \(path) (left by an interrupted run)") }
    }

    deinit { output?.closeDescriptor() }

    static func checkWritable(_ path: String) throws {
        if access(path, F_OK) == 0 {
            guard access(path, W_OK) == 0 else {
                throw SIEMError.output(path: path, message: "cannot open for writing: permission denied")
            }
            return
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        guard access(directory.isEmpty ? "/" : directory, W_OK) == 0 else {
            let why =
                switch errno {
                case ENOENT: "does not exist"
                case EACCES: "is not writable"
                default: "cannot be written: " + FileDescriptorOutput.describeErrno()
                }
            throw SIEMError.output(path: path, message: "cannot create the file: directory \(directory) \(why)")
        }
    }

    public func send(_ batch: EncodedBatch) async throws -> Delivery {
        guard let output else { throw SIEMError.output(path: path, message: "opened for a dry run only") }
        try output.writeBatch(pieces: batch.linePieces, sync: sync)
        return Delivery(accepted: batch.count)
    }

    public var destination: String { path }
}
