import SIEMCore

/// A `postgres_table` read from one position to the source's end: keyset batches from a
/// `PostgresKeysetReader`, laid out in the columns the mapper asked for (NULL for an optional one
/// the table lacks), each row positioned `(txid, id)` under the txid rule and `(0, id)` otherwise.
///
/// The reader holds the cursor only between batches of this read; a failed read is repeated
/// from it after a reconnect (`PostgresTableSource.withReconnects`). An empty batch ends the read:
/// at the end, or when a lock barrier timed out on a writer still open (rows behind it come in
/// the next round; nothing is skipped, since the checkpoint never passes them).
final class PostgresTableRowReader: RowReader {
    let columns: [String]
    private let source: PostgresTableSource
    private let reader: PostgresKeysetReader
    /// For each of `columns`, its index among the reader's columns; nil reads NULL.
    private let layout: [Int?]
    private var cursor: PostgresCursor
    private let through: PostgresCursor?
    private let positioned: Bool
    private var rows = PostgresRowBatch()

    init(
        source: PostgresTableSource, reader: PostgresKeysetReader, columns: [String], layout: [Int?],
        after: PostgresCursor, through: PostgresCursor?
    ) {
        self.source = source
        self.reader = reader
        self.columns = columns
        self.layout = layout
        cursor = after
        self.through = through
        positioned = source.consistency.hasEpoch
    }

    func next(into batch: inout RowBatch, max: Int) throws {
        batch.removeAll()
        while true {
            if let through, cursor >= through { return }
            let from = cursor
            try source.withReconnects { try reader.read(after: from, through: through, max: max, into: &rows) }
            let advanced = rows.resumeCursor > cursor
            cursor = rows.resumeCursor
            if !rows.isEmpty { break }
            // Only ids that will never exist (rolled back) were in range: read on past them.
            guard advanced, !rows.waitedOnWriter, through != nil else { return }
        }
        for row in 0..<rows.count {
            let position = try source.position(rows.cursors[row])
            if positioned {
                batch.beginRow(id: position.id, epoch: position.epoch)
            } else {
                batch.beginRow(id: position.id)
            }
            for slot in layout { batch.append(slot.map { rows[row, $0] } ?? .null) }
        }
    }
}
