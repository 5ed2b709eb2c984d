/// The name of a formatter's output contract; golden files live under it.
public struct SchemaVersion: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }
    public var description: String { name }
}

/// How a sink joins records of this formatter for its receiver.
public enum Framing: String, Sendable {
    /// One JSON document per line.
    case ndjson
    /// JSON objects one after another, as Splunk HEC's batch body takes them.
    case concatenated
    /// One JSON array of the records, as Sentinel's ingest APIs take them.
    case jsonArray
    /// One text line per record (CEF, syslog).
    case lines
    /// OTLP log records, sent as one `ExportLogsServiceRequest` per batch (`otlpLogsBody`);
    /// a line-writing sink writes that request as one line.
    case otlpLogs
}

/// Renders an event for one SIEM. Pure: no I/O, no invented fields, empty optionals omitted.
///
/// Not named `Formatter`: Foundation has one.
public protocol EventFormatter: Plugin, Sendable {
    static var schema: SchemaVersion { get }
    static var framing: Framing { get }
    /// Other names `siem-export export --format` accepts (e.g. `splunk` for `splunk_hec`).
    static var aliases: [String] { get }
    /// Appends exactly one record (no trailing newline) to `out`.
    func encode(_ event: borrowing Event, into out: inout RecordWriter) throws
}

extension EventFormatter {
    public static var aliases: [String] { [] }
}
