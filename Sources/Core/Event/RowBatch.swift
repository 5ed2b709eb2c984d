/// A batch of source rows, their values uninterpreted, in the columns the mapper asked for: what a
/// `RowReader` fills and a mapper reads. Row-major in one array (no allocation per row); texts
/// live in the batch's `TextArena`.
///
/// Columns a source lacks (an older schema) read as `.null`; the mapper decides what a value means.
/// What the source could not read as a row at all (a line that is not JSON) travels beside the
/// rows as an `UnreadableRow`, so it reaches the dead-letter file without the mapper.
public struct RowBatch: Sendable {
    /// The column names, in the order of each row's values.
    public let columns: [String]
    /// Each row's id: the cursor, and the event id.
    public private(set) var ids: [Int64] = []
    /// Each row's epoch (`SourcePosition.epoch`); empty while every row's is 0, as for sources
    /// with one integer cursor.
    public private(set) var epochs: [Int64] = []
    @usableFromInline private(set) var values: [StoredValue] = []
    /// Where `appendText` puts text: one arena per filling of the batch (events made from its
    /// rows keep the arena of their own batch alive), made at the first text.
    @usableFromInline private(set) var arena: TextArena?
    /// `arena`, unretained, for `appendText`.
    private var filling: Unmanaged<TextArena>?
    /// Bytes the last filling's text took: the next arena starts that big, so it rarely grows.
    private var arenaSize = 64 * 1024
    /// What the source read but could not make a row of, in position order; between and after
    /// the rows, never instead of a position (each has its own).
    public private(set) var unreadable: [UnreadableRow] = []

    public init(columns: [String], capacity: Int = 0) {
        self.columns = columns
        ids.reserveCapacity(capacity)
        values.reserveCapacity(capacity * columns.count)
    }

    /// The rows (not counting `unreadable`).
    public var count: Int { ids.count }
    /// Neither rows nor unreadable rows: what a reader's batch is at the end.
    public var isEmpty: Bool { ids.isEmpty && unreadable.isEmpty }

    /// The position of the last row or unreadable row: what a checkpoint past the batch holds.
    public var lastPosition: SourcePosition? {
        let row = ids.isEmpty ? nil : position(ids.count - 1)
        guard let last = unreadable.last?.position else { return row }
        return row.map { max($0, last) } ?? last
    }

    /// Row `row`'s value of column `column` (an index into `columns`).
    @inlinable
    public subscript(row: Int, column: Int) -> SQLValue {
        switch values[row &* columns.count &+ column] {
        case .null: return .null
        case .integer(let value): return .integer(value)
        case .real(let value): return .real(value)
        case .inArena(let start, let lengthAndPlain):
            return .text(UTF8Text(arena: arena.unsafelyUnwrapped, start: start, lengthAndPlain: lengthAndPlain))
        case .text(let text): return .text(text)
        case .blob(let bytes): return .blob(bytes)
        }
    }

    /// Row `row`'s value of `column` as text (`SQLValue.textValue`), made straight from where it
    /// lies: the one reference the caller keeps is the only one counted.
    @inlinable
    public func text(row: Int, column: Int) -> UTF8Text? {
        if case .inArena(let start, let lengthAndPlain) = values[row &* columns.count &+ column] {
            return UTF8Text(arena: arena.unsafelyUnwrapped, start: start, lengthAndPlain: lengthAndPlain)
        }
        return self[row, column].textValue
    }

    /// Starts a row; exactly `columns.count` values must follow.
    public mutating func beginRow(id: Int64) {
        ids.append(id)
        if !epochs.isEmpty { epochs.append(0) }
    }

    /// Starts a row of a source whose positions have an epoch (see `SourcePosition`).
    public mutating func beginRow(id: Int64, epoch: Int64) {
        if epochs.count < ids.count { epochs.append(contentsOf: repeatElement(0, count: ids.count - epochs.count)) }
        ids.append(id)
        epochs.append(epoch)
    }

    /// Row `row`'s position: what a checkpoint past it holds.
    @inlinable
    public func position(_ row: Int) -> SourcePosition {
        SourcePosition(epoch: epochs.isEmpty ? 0 : epochs[row], id: ids[row])
    }

    @inlinable
    public mutating func append(_ value: SQLValue) {
        switch value {
        case .null: values.append(.null)
        case .integer(let integer): values.append(.integer(integer))
        case .real(let real): values.append(.real(real))
        case .text(let text): values.append(.text(text))
        case .blob(let bytes): values.append(.blob(bytes))
        }
    }

    /// Appends text copied into the batch's arena (repaired to valid UTF-8, as
    /// `TextArena.append(utf8:)` does). The value holds no reference of its own: reading it
    /// makes the `UTF8Text`, so a text the mapper never reads, or reads once, costs no counting.
    public mutating func appendText(utf8 source: UnsafeBufferPointer<UInt8>) {
        if arena == nil {
            let made = TextArena(capacity: arenaSize)
            arena = made
            filling = Unmanaged.passUnretained(made)
        }
        // `arena` holds it; through the unretained handle the call counts no reference (a call
        // on the stored property retains and releases it around every text).
        let (start, lengthAndPlain) = filling.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.store(utf8: source) }
        values.append(.inArena(start: start, lengthAndPlain: lengthAndPlain))
    }

    /// Records something read at `position` that cannot be a row; `raw` is cut to
    /// `UnreadableRow.sampleLimit` bytes, so a hostile line costs bounded memory.
    public mutating func appendUnreadable(
        position: SourcePosition, reason: String, location: String, raw: UnsafeBufferPointer<UInt8>, byteCount: Int
    ) {
        let kept = UnsafeBufferPointer(rebasing: raw.prefix(UnreadableRow.sampleLimit))
        unreadable.append(
            UnreadableRow(
                position: position, reason: reason, location: location, raw: Array(kept), byteCount: byteCount))
    }

    /// Empties the batch, keeping its memory for the next read.
    public mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        epochs.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        unreadable.removeAll(keepingCapacity: true)
        // Events made from the rows keep the old arena; the next rows go into a new one.
        if let arena { arenaSize = max(arena.byteCount + arena.byteCount / 8, 4_096) }
        arena = nil
        filling = nil
    }

    /// Row `row` as `column name: value`, for dead-letter lines and messages.
    public func row(_ row: Int) -> [(column: String, value: SQLValue)] {
        columns.indices.map { (columns[$0], self[row, $0]) }
    }
}

/// A column a mapper reads: its name in the source (a column, or a JSON path for JSON lines) and
/// whether a source without it cannot serve the mapper at all.
public struct SourceColumn: Sendable, Equatable {
    public var name: String
    public var isRequired: Bool
    /// Where the mapper's config names it (`fields.actor`), for errors.
    public var configPath: String?

    public init(_ name: String, required: Bool = true, configPath: String? = nil) {
        self.name = name
        self.isRequired = required
        self.configPath = configPath
    }
}

/// Something a source read that cannot become a row — a line that is not a JSON object, or one
/// over the source's size limit — kept with its position, so the pipeline sets it aside in the
/// dead-letter file (as it does rows a mapper refuses) instead of stopping at it or passing it
/// over without a word.
public struct UnreadableRow: Sendable, Equatable {
    /// How much of the raw bytes is kept: enough to see and repair a line, bounded for a hostile one.
    public static let sampleLimit = 16 * 1024

    /// Its position: a checkpoint may pass it once it is set aside.
    public var position: SourcePosition
    /// Why it cannot be read.
    public var reason: String
    /// Where it is, for people (`/var/log/app.log.1, bytes 1200..1350`).
    public var location: String
    /// Its first bytes as read (at most `sampleLimit`).
    public var raw: [UInt8]
    /// Its whole length in bytes.
    public var byteCount: Int

    public init(position: SourcePosition, reason: String, location: String, raw: [UInt8], byteCount: Int) {
        self.position = position
        self.reason = reason
        self.location = location
        self.raw = raw
        self.byteCount = byteCount
    }
}

/// A value as a batch holds it: text in the batch's own arena is only where it lies.
@usableFromInline
enum StoredValue: Sendable {
    case null
    case integer(Int64)
    case real(Double)
    /// In the batch's arena (`RowBatch.appendText`).
    case inArena(start: Int, lengthAndPlain: UInt)
    /// Text from elsewhere (a reader with an arena of its own, a test).
    case text(UTF8Text)
    case blob([UInt8])
}
