/// The name of a formatter's output contract; golden files live under it.
public struct SchemaVersion: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }
    public var description: String { name }
}

/// Renders an event for one SIEM. Pure: no I/O, no invented fields, empty optionals omitted.
///
/// Not named `Formatter`: Foundation has one.
public protocol EventFormatter: Plugin, Sendable {
    static var schema: SchemaVersion { get }
    /// The framings its records can take (see `Framing`): `FramingKind.documents` for a JSON
    /// object per event, `.lines` for a text format.
    static var framings: [FramingKind] { get }
    /// Other names `siem-export export --format` accepts (e.g. `splunk` for `splunk_hec`).
    static var aliases: [String] { get }
    /// The event categories it renders; a pipeline whose source yields another is refused.
    static var categories: [EventCategory] { get }
    /// Every schema version it can still write, the current (`schema`) first: a config that pins
    /// an older one gets that one's output (`PluginContext.schema`), byte for byte.
    static var schemas: [SchemaVersion] { get }
    /// The categories a pinned schema version renders: an older version may predate some.
    static func categories(writing schema: SchemaVersion) -> [EventCategory]
    /// Appends exactly one record (no trailing newline) to `out`.
    func encode(_ event: borrowing Event, into out: inout RecordWriter) throws
}

extension EventFormatter {
    public static var aliases: [String] { [] }
    public static var categories: [EventCategory] { [.beacon] }
    public static var schemas: [SchemaVersion] { [schema] }
    public static func categories(writing schema: SchemaVersion) -> [EventCategory] { categories }
}
