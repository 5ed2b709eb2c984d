import SIEMCore

/// Lifts one `events` row into one normalized `Event`, without inventing or dropping data.
public struct OversightBeaconMapper: EventMapper {
    public static let id = "oversight_beacon"
    public static let summary = "Registry beacon row → normalized event (registry id, action name, parsed extra)"

    public struct Options: PluginOptions {
        public var registryID = ""

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "registry_id", \.registryID,
                help: "this registry's identifier (its ed25519 public key hex), so SIEMs can tell registries apart",
                required: true)
        ]

        public init() {}
    }

    let registryID: String

    public init(options: Options, context: PluginContext) throws {
        registryID = options.registryID
    }

    /// The registry's columns, in the order `map` reads them; only `kind` and `timestamp` must
    /// exist (older registries lack the others, which read as NULL).
    public static let columnNames = [
        "token_id", "file_id", "recipient_id", "issuer_id", "kind", "source_ip", "user_agent", "extra", "timestamp",
        "qualified_timestamp", "tlog_index",
    ]

    public var category: EventCategory { .beacon }

    public let columns: [SourceColumn] = OversightBeaconMapper.columnNames.map {
        SourceColumn($0, required: $0 == "kind" || $0 == "timestamp")
    }

    public func map(_ batch: borrowing RowBatch, row: Int) throws -> Event {
        let id = batch.ids[row]
        guard let kind = Self.text(batch, row, 4) else { throw SIEMError.badRow(id: id, message: "`kind` is empty") }
        return Event(
            eventID: id,
            kind: kind,
            occurredUnix: try Self.unixSeconds(batch[row, 8], id: id),
            registryID: registryID,
            tokenID: Self.text(batch, row, 0),
            fileID: Self.text(batch, row, 1),
            recipientID: Self.text(batch, row, 2),
            issuerID: Self.text(batch, row, 3),
            sourceIP: Self.text(batch, row, 5),
            userAgent: Self.text(batch, row, 6),
            qualifiedTimestamp: Self.text(batch, row, 9),
            tlogIndex: try Self.integer(batch[row, 10], column: "tlog_index", id: id),
            extra: AttributesJSON.object(batch[row, 7]))
    }

    /// One registry row (tests, fixtures).
    public func map(_ row: BeaconRow) throws -> Event {
        try map(RowBatch(beaconRows: [row]), row: 0)
    }

    /// Column `column` of `row` as text, or nil for NULL and the empty string (which SIEMs
    /// cannot tell from absent anyway); read in place.
    @inline(__always)
    static func text(_ batch: borrowing RowBatch, _ row: Int, _ column: Int) -> UTF8Text? {
        guard let text = batch.text(row: row, column: column), !text.isEmpty else { return nil }
        return text
    }

    /// The event time. INTEGER is the registry's type; REAL (fractions dropped toward the past)
    /// and decimal TEXT from older writers are read too. Anything else is a bad row, because a
    /// SIEM event without its time is worthless and a guessed time is worse.
    static func unixSeconds(_ value: SQLValue, id: Int64) throws -> Int64 {
        guard let seconds = try integer(value, column: "timestamp", id: id) else {
            throw SIEMError.badRow(id: id, message: "`timestamp` is NULL")
        }
        guard RFC3339.representableSeconds.contains(seconds) else {
            throw SIEMError.badRow(
                id: id, message: "`timestamp` \(seconds) is outside years 0000–9999, which RFC 3339 cannot express")
        }
        return seconds
    }

    static func integer(_ value: SQLValue, column: String, id: Int64) throws -> Int64? {
        switch value {
        case .null: return nil
        case .integer(let i): return i
        case .real(let d):
            guard d.isFinite, d >= -9.2e18, d <= 9.2e18 else { break }
            return Int64(d.rounded(.down))
        case .text(let t):
            let trimmed = t.string.trimmingASCIIWhitespace()
            if trimmed.isEmpty { return nil }
            if let i = Int64(trimmed) { return i }
            if let d = Double(trimmed), d.isFinite, d >= -9.2e18, d <= 9.2e18 { return Int64(d.rounded(.down)) }
        case .blob:
            break
        }
        throw SIEMError.badRow(id: id, message: "`\(column)` is not a number: \(Self.excerpt(value))")
    }

    static func excerpt(_ value: SQLValue) -> String {
        let text = value.textValue?.string ?? "NULL"
        return text.count > 40 ? String(text.prefix(40)).debugDescription + "…" : text.debugDescription
    }
}

extension String {
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
