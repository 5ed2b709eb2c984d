/// Which rows a read covers and in what order.
public struct SourceQuery: Sendable, Equatable {
    public enum Order: String, Sendable, CaseIterable {
        /// Position order (`SourcePosition`), streamed in short keyset reads: writer-friendly, what
        /// checkpoints need.
        case id
        /// Timestamp then id, as the registry's own export orders; one read snapshot for the whole run.
        case timestamp
    }

    /// Only rows after this position (the checkpoint).
    public var after: SourcePosition
    /// Only rows up to this position (the source's end when the run began), so a run always ends.
    public var through: SourcePosition?
    /// Only rows whose time column is at least this.
    public var sinceUnix: Int64?
    public var order: Order

    public init(
        after: SourcePosition = .start, through: SourcePosition? = nil, sinceUnix: Int64? = nil, order: Order = .id
    ) {
        self.after = after
        self.through = through
        self.sinceUnix = sinceUnix
        self.order = order
    }
}

/// Reads rows in bounded batches; memory does not grow with the table.
public protocol RowReader: AnyObject {
    /// The columns each row holds, in order (what the mapper asked for).
    var columns: [String] { get }
    /// Replaces `batch`'s rows with up to `max` next ones (rows and unreadable rows together); an
    /// empty batch means the end.
    func next(into batch: inout RowBatch, max: Int) throws
}

/// Where events come from: opened read-only, never a writer.
public protocol EventSource: Plugin {
    /// A stable name of what is read (the database path); checkpoints remember it.
    var identity: String { get }
    /// The position of the last row now (what a run reads up to), nil for an empty source.
    func endPosition() throws -> SourcePosition?
    /// How many rows `query` covers, for a progress display; nil when the source cannot tell
    /// without reading them all (JSON lines).
    func count(_ query: SourceQuery) throws -> Int?
    /// The columns the source has, to check a mapper's against; nil when it cannot know before
    /// reading (JSON lines).
    func availableColumns() throws -> [String]?
    /// Reads `columns` (a column the source lacks reads as NULL, unless it is required: then
    /// `open` throws naming it).
    func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader
    /// Throws when what is read is no longer what was opened (the file replaced or removed), so
    /// a long-running export does not keep reading a deleted file or mix two databases' ids.
    func verifyUnchanged() throws
    /// Hands the source its part of the run's state file, before the first `open`; a source
    /// that must remember more than its position (a followed file's identity) keeps it there.
    func attach(state: any SourceStateStore) throws
    /// `end` in words for the operator: "rows up to id 1038", or what a position counts there.
    func endInWords(_ end: SourcePosition) -> String
}

extension EventSource {
    public func endInWords(_ end: SourcePosition) -> String { "rows up to \(end)" }
    public func verifyUnchanged() throws {}
    public func attach(state: any SourceStateStore) throws {}
    public func availableColumns() throws -> [String]? { nil }
    public func count(_ query: SourceQuery) throws -> Int? { nil }
}

/// Lifts one source row into one canonical event.
public protocol EventMapper: Plugin, Sendable {
    /// The category of every event it makes.
    var category: EventCategory { get }
    /// The columns it reads, in the order `map` finds them in a batch.
    var columns: [SourceColumn] { get }
    /// Row `row` of `batch` as an event; throws `SIEMError.badRow` for a row that cannot become
    /// one without inventing or losing data (it then goes to the dead-letter file).
    func map(_ batch: borrowing RowBatch, row: Int) throws -> Event
}
