import CPostgres
import SIEMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The rows inserted into one table, read by logical decoding with the built-in `pgoutput`
/// plugin from a replication slot, in commit order; the position (commit LSN and the row's
/// ordinal in its transaction) is the checkpoint.
///
/// Decoding sees transactions only once they commit, and in commit order, so ids committing out
/// of order cannot be skipped, no column is needed in the table, and no writer is ever blocked.
/// The slot and the publication belong to the DBA (the exporter creates nothing):
///
///     CREATE PUBLICATION siem_events FOR TABLE audit.events;
///     SELECT pg_create_logical_replication_slot('siem_events', 'pgoutput');
///
/// The server keeps WAL from the slot's confirmed position on; the stream confirms each
/// acknowledged position, and while everything read has been acknowledged it also confirms the
/// end of transactions that had nothing for this table, so a quiet table does not pin WAL. A
/// slot nobody reads still retains WAL for ever: drop it when the source goes. Needs
/// `wal_level = logical` and a role with the REPLICATION attribute; PostgreSQL 15 cannot decode
/// on a hot standby (16 can). Only inserts are read: updates, deletes and truncates are ignored,
/// as for the keyset rules (an append-only table). Not thread-safe.
public final class PostgresChangeStream {
    public let slot: String
    public let publication: String
    public let schema: PostgresTableSchema
    /// The columns each row carries, in order.
    public let columns: [String]
    public var target: String { connection.target }

    private let connection: PostgresConnection
    /// The table's relation as `pgoutput` last described it: its id, and where each of
    /// `columns` sits in a tuple with the kind to decode it as.
    private var relation: (id: UInt32, indexes: [Int], kinds: [PostgresValueKind])?
    /// The transaction being read: its commit LSN and how many of its rows were seen.
    private var transaction: (commitLSN: PostgresLSN, ordinal: Int64)?
    /// Rows at or before this position are not delivered again (a resent transaction).
    private var resumeAfter: PostgresChangePosition?
    private var acknowledged: PostgresChangePosition?
    private var delivered: PostgresChangePosition?
    /// The end of the last transaction read whole, or the server's WAL end between transactions:
    /// safe to confirm once everything delivered is acknowledged.
    private var consumedThrough: UInt64 = 0
    private var tupleOffsets: [(start: Int, count: Int)] = []
    private var arenaSize = 64 * 1024

    /// Checks the table, the columns, the slot and the publication, then starts streaming after
    /// `position` (nil: from the slot's confirmed position).
    public init(
        options: PostgresConnectionOptions, slot: String, publication: String, table: String,
        columns: [String]? = nil, after position: PostgresChangePosition? = nil
    ) throws {
        guard !slot.isEmpty, slot.count <= 63, slot.utf8.allSatisfy({ Self.slotCharacters.contains($0) }) else {
            throw SIEMError.config(
                location: "replication slot", message: "slot name '\(slot)' must be 1–63 of a–z, 0–9 and _")
        }
        self.slot = slot
        self.publication = publication
        let check = try PostgresConnection(options)
        schema = try PostgresTableSchema.load(table, from: check)
        let columns = columns ?? schema.columns.map(\.name)
        try schema.requireColumns(columns)
        self.columns = columns
        try Self.checkSlotAndPublication(slot, publication, schema, check)
        check.close()
        connection = try PostgresConnection(options, replication: true)
        resumeAfter = position
        acknowledged = position
        try start()
    }

    /// A new session after a retryable failure, resuming after the last acknowledged position:
    /// rows delivered but not acknowledged come again (at least once).
    public func reconnect() throws {
        try connection.reconnect()
        relation = nil
        transaction = nil
        delivered = acknowledged
        resumeAfter = acknowledged
        try start()
    }

    deinit { close() }

    /// Ends the stream, then the session. The stream is ended politely first (CopyDone, and what
    /// the server still sends read until it ends the command, a second at most): closing a socket
    /// with the server's keepalives unread makes the kernel reset the connection, and a reset
    /// discards whatever the server had not yet read — an acknowledgement sent just before was
    /// lost that way under load, and the slot kept its older position.
    public func close() {
        if let handle = connection.rawHandle, PQstatus(handle) == CONNECTION_OK, PQputCopyEnd(handle, nil) == 1,
            PQflush(handle) == 0
        {
            let deadline = ContinuousClock.now + .seconds(1)
            func wait() -> Bool {
                var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, 100)
                return PQconsumeInput(handle) == 1 && ContinuousClock.now < deadline
            }
            var copying = true
            while copying {
                var buffer: UnsafeMutablePointer<CChar>?
                let length = PQgetCopyData(handle, &buffer, 1)
                if let buffer { PQfreemem(buffer) }
                if length > 0 { continue }
                copying = length == 0 && wait()
                if length == -1 {
                    // The server's CopyDone: the command's results follow; read them without blocking.
                    while true {
                        while PQisBusy(handle) == 1 { guard wait() else { break } }
                        guard PQisBusy(handle) == 0, let result = PQgetResult(handle) else { break }
                        PQclear(result)
                    }
                }
            }
        }
        connection.close()
    }

    /// Replaces `batch` with the next rows: up to `max`; it returns early after a transaction's
    /// last row when nothing more is waiting, and after `waitMilliseconds` in any case.
    public func read(max: Int, waitMilliseconds: Int, into batch: inout PostgresChangeBatch) throws {
        precondition(max > 0, "a batch holds at least one row")
        batch.reset(columns: columns)
        let arena = TextArena(capacity: arenaSize)
        defer { arenaSize = Swift.max(arena.byteCount + arena.byteCount / 8, 4_096) }
        let deadline = ContinuousClock.now + .milliseconds(waitMilliseconds)
        while batch.count < max {
            guard let handle = connection.rawHandle else { throw lost("the connection is closed") }
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &buffer, 1)
            if length > 0, let buffer {
                defer { PQfreemem(buffer) }
                try consume(UnsafeRawBufferPointer(start: buffer, count: Int(length)), into: &batch, arena: arena)
                continue
            }
            guard length == 0 else { throw lost(String(cString: PQerrorMessage(handle))) }
            // Between transactions with rows in hand, return unless more is already waiting;
            // inside one, its remaining rows are on their way (decoding sends it whole).
            let idle = !batch.isEmpty && transaction == nil
            let left = deadline - ContinuousClock.now
            guard idle || left > .zero else { break }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let leftMilliseconds = left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000
            let milliseconds = idle ? 0 : Int32(Swift.min(leftMilliseconds + 1, 1_000))
            let ready = poll(&descriptor, 1, milliseconds) > 0
            if idle && !ready { break }
            guard PQconsumeInput(handle) == 1 else { throw lost(String(cString: PQerrorMessage(handle))) }
        }
    }

    /// Tells the server that every row up to `position` is delivered for good: WAL before that
    /// transaction may go, and a new stream resumes after it.
    public func acknowledge(_ position: PostgresChangePosition) throws {
        if acknowledged.map({ $0 < position }) ?? true { acknowledged = position }
        try sendStatus()
    }

    private func start() throws {
        let start = resumeAfter?.commitLSN ?? PostgresLSN(0)
        let names = try literal(PostgresTableName.quote(publication))
        let sql =
            "START_REPLICATION SLOT \(slot) LOGICAL \(start) (proto_version '1', publication_names \(names))"
        guard let handle = connection.rawHandle else { throw lost("the connection is closed") }
        guard let raw = PQexec(handle, sql) else { throw lost(String(cString: PQerrorMessage(handle))) }
        let result = PostgresResult(raw)
        guard PQresultStatus(raw) == PGRES_COPY_BOTH else {
            let sqlState = PQresultErrorField(raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result.handle))
            // 55006: the slot is active for another session, another exporter on the same slot.
            if sqlState == "55006" {
                throw SIEMError.locked(
                    path: target, message: "replication slot \(slot) is in use by another session: \(message)")
            }
            throw connection.error(
                for: .init(sqlState: sqlState, message: message, connectionBroken: PQstatus(handle) != CONNECTION_OK))
        }
    }

    private func consume(
        _ message: UnsafeRawBufferPointer, into batch: inout PostgresChangeBatch, arena: TextArena
    ) throws {
        var bytes = PostgresMessageBytes(message)
        do {
            switch try bytes.uint8() {
            case UInt8(ascii: "k"):  // keepalive: WAL end, server time, reply requested
                let walEnd = try bytes.uint64()
                _ = try bytes.uint64()
                if transaction == nil { consumedThrough = Swift.max(consumedThrough, walEnd) }
                if try bytes.uint8() == 1 { try sendStatus() }
            case UInt8(ascii: "w"):  // XLogData: start, end, server time, then one pgoutput message
                _ = try bytes.slice(24)
                try decode(&bytes, into: &batch, arena: arena)
            default:
                break
            }
        } catch is PostgresMessageBytes.Truncated {
            throw SIEMError.source(path: target, message: "a replication message ended early")
        }
    }

    private func decode(
        _ bytes: inout PostgresMessageBytes, into batch: inout PostgresChangeBatch, arena: TextArena
    )
        throws
    {
        switch try bytes.uint8() {
        case UInt8(ascii: "B"):  // Begin: final (commit) LSN, commit time, xid
            transaction = (PostgresLSN(try bytes.uint64()), 0)
        case UInt8(ascii: "C"):  // Commit: flags, commit LSN, end LSN, commit time
            _ = try bytes.uint8()
            _ = try bytes.uint64()
            consumedThrough = Swift.max(consumedThrough, try bytes.uint64())
            transaction = nil
        case UInt8(ascii: "R"):  // Relation: id, namespace, name, replica identity, columns
            let id = try bytes.uint32()
            let namespace = try bytes.string()
            let name = try bytes.string()
            _ = try bytes.uint8()
            var described: [(name: String, type: UInt32)] = []
            for _ in 0..<(try bytes.uint16()) {
                _ = try bytes.uint8()
                let column = try bytes.string()
                let type = try bytes.uint32()
                _ = try bytes.uint32()
                described.append((column, type))
            }
            guard namespace == schema.table.schema, name == schema.table.name else { return }
            var indexes: [Int] = []
            for column in columns {
                guard let index = described.firstIndex(where: { $0.name == column }) else {
                    throw SIEMError.source(
                        path: target,
                        message: "column '\(column)' of \(schema.table) is not in publication \(publication)'s "
                            + "column list")
                }
                indexes.append(index)
            }
            // The catalog's type where it knows the column: a domain's base type, as in queries.
            let types = indexes.map { schema.column(named: described[$0].name)?.typeOID ?? described[$0].type }
            relation = (id, indexes, types.map { PostgresValueKind(typeOID: $0) })
        case UInt8(ascii: "I"):  // Insert: relation id, 'N', the new tuple
            guard let relation, try bytes.uint32() == relation.id, let open = transaction else { return }
            _ = try bytes.uint8()
            try readTuple(&bytes)
            let position = PostgresChangePosition(commitLSN: open.commitLSN, ordinal: open.ordinal + 1)
            transaction = (open.commitLSN, position.ordinal)
            if let resumeAfter, position <= resumeAfter { return }
            for (column, index) in relation.indexes.enumerated() {
                let place = tupleOffsets[index]
                guard place.start >= 0 else {
                    batch.values.append(.null)
                    continue
                }
                let value = UnsafeRawBufferPointer(rebasing: bytes.bytes[place.start..<(place.start + place.count)])
                batch.values.append(
                    try PostgresValueDecoder.value(
                        value.assumingMemoryBound(to: UInt8.self), kind: relation.kinds[column], arena: arena,
                        rowID: position.ordinal, column: columns[column]))
            }
            batch.positions.append(position)
            delivered = position
        default:  // Update, Delete, Truncate, Type, Origin, Message: not read
            break
        }
    }

    /// Records where each column of a TupleData sits (start -1: NULL, or unchanged TOAST).
    private func readTuple(_ bytes: inout PostgresMessageBytes) throws {
        tupleOffsets.removeAll(keepingCapacity: true)
        for _ in 0..<(try bytes.uint16()) {
            switch try bytes.uint8() {
            case UInt8(ascii: "t"):
                let count = Int(try bytes.uint32())
                let start = bytes.offset
                _ = try bytes.slice(count)
                tupleOffsets.append((start, count))
            default:  // 'n' NULL, 'u' unchanged TOAST value
                tupleOffsets.append((-1, 0))
            }
        }
    }

    /// Standby status update: written, flushed and applied position (all the same here), the
    /// client's clock in microseconds since 2000-01-01, and no reply requested.
    private func sendStatus() throws {
        guard let handle = connection.rawHandle else { throw lost("the connection is closed") }
        var confirmed = acknowledged?.commitLSN.value ?? 0
        if transaction == nil, delivered == nil || delivered == acknowledged {
            confirmed = Swift.max(confirmed, consumedThrough)
        }
        var message: [UInt8] = [UInt8(ascii: "r")]
        for _ in 0..<3 { PostgresMessageBytes.append(confirmed, to: &message) }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let microseconds = (Int64(now.tv_sec) - 946_684_800) * 1_000_000 + Int64(now.tv_nsec) / 1_000
        PostgresMessageBytes.append(UInt64(bitPattern: microseconds), to: &message)
        message.append(0)
        let sent = message.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1, PQflush(handle) == 0 else { throw lost(String(cString: PQerrorMessage(handle))) }
    }

    private func lost(_ message: String) -> SIEMError {
        PostgresErrorMapping.unavailable(
            PostgresErrorMapping.clean(message, password: connection.password), target: target)
    }

    private func literal(_ text: String) throws -> String {
        guard let handle = connection.rawHandle, let escaped = PQescapeLiteral(handle, text, text.utf8.count) else {
            throw lost("the connection is closed")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    private static let slotCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789_".utf8)

    private static func checkSlotAndPublication(
        _ slot: String, _ publication: String, _ schema: PostgresTableSchema, _ connection: PostgresConnection
    ) throws {
        let slots = try connection.execute(
            "SELECT plugin, slot_type, database = current_database() FROM pg_replication_slots WHERE slot_name = $1",
            parameters: [slot])
        guard slots.rowCount == 1 else {
            throw SIEMError.config(
                location: connection.target,
                message: "replication slot \(slot) does not exist; create it with "
                    + "SELECT pg_create_logical_replication_slot('\(slot)', 'pgoutput')")
        }
        guard slots.string(0, 1) == "logical", slots.string(0, 0) == "pgoutput", slots.string(0, 2) == "t" else {
            throw SIEMError.config(
                location: connection.target,
                message: "replication slot \(slot) is not a pgoutput slot of this database (plugin "
                    + "\(slots.string(0, 0) ?? "none"), \(slots.string(0, 1) ?? "?"))")
        }
        let published = try connection.execute(
            "SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3",
            parameters: [publication, schema.table.schema, schema.table.name])
        guard published.rowCount == 1 else {
            throw SIEMError.config(
                location: connection.target,
                message: "publication \(publication) does not publish \(schema.table); create it with "
                    + "CREATE PUBLICATION \(PostgresTableName.quote(publication)) FOR TABLE \(schema.table.quoted)")
        }
    }
}
