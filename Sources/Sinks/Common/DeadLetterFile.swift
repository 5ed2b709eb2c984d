import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Records a receiver refused as invalid, one JSON line each with the source row id and the
/// reason, fsynced before the batch counts as delivered: set aside with a trace, never dropped.
public final class DeadLetterFile: @unchecked Sendable {
    public let path: String
    private let output: FileDescriptorOutput

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SIEMError.output(
                path: path, message: "cannot open dead-letter file: \(FileDescriptorOutput.describeErrno())")
        }
        output = FileDescriptorOutput(fd: fd, name: path)
    }

    deinit { output.closeDescriptor() }

    /// Appends whole JSON lines the caller rendered, and fsyncs them.
    public func appendLines(_ lines: [UInt8]) throws {
        try output.writeBatch(lines, sync: true)
    }

    /// Appends `{"pipeline":…,"event_id":…,"reason":…,"record":<record>}`.
    public func append(pipeline: String, eventID: Int64, reason: String, record: ArraySlice<UInt8>) throws {
        var writer = RecordWriter(capacity: record.count + 256)
        writer.beginObject()
        writer.key("pipeline")
        writer.string(pipeline)
        writer.key("event_id")
        writer.int(eventID)
        writer.key("reason")
        writer.string(reason)
        writer.key("record")
        writer.string(String(decoding: record, as: UTF8.self))
        writer.endObject()
        writer.endRecord()
        try output.writeBatch(writer.bytes, sync: true)
    }
}
