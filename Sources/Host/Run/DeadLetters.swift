import Foundation
import Logging
import SIEMCore
import SIEMSinks

/// Where what cannot be delivered goes, so a pipeline goes on and nothing is lost: rows that
/// cannot become events, and events a receiver refused for good.
///
/// A row's line keeps every column as stored, so it can be repaired and inserted again:
/// `{"time":"…","source_row_id":7,"reason":"…","row":{"id":7,"kind":"dns","timestamp":"soon",…}}`
/// (INTEGER and finite REAL as numbers, TEXT as strings, a BLOB as `{"blob_hex":"…"}`, an
/// infinite REAL as `"Infinity"`/`"-Infinity"`, NULL as null). A refused event's line keeps the
/// record as it was formatted, with the receiver's reason:
/// `{"time":"…","pipeline":"splunk","event_id":7,"reason":"HEC code 6: …","record":"{…}"}`.
/// What the source could not read as a row keeps its bytes as read (cut at
/// `UnreadableRow.sampleLimit`) and where it was:
/// `{"time":"…","source_row_id":812,"reason":"not JSON: …","location":"app.log, bytes 790..812","raw":"…","raw_bytes":22}`
/// (`raw_hex` instead of `raw` when the bytes are not UTF-8, `raw_truncated` when cut).
protocol DeadLetterDestination: AnyObject, Sendable {
    /// Where it is, for summaries and messages.
    var path: String { get }
    /// Sets aside the rows `rejected` names out of `batch`, and what the source read but could not
    /// make rows of (`unreadable`), in position order, durably, before any checkpoint can pass them.
    func write(rows rejected: [(row: Int, reason: String)], unreadable: [UnreadableRow], of batch: RowBatch) throws
    /// Sets aside the events `refusals` names out of `batch`, refused by `pipeline`'s receiver.
    func write(refusals: [Refusal], of batch: EncodedBatch, pipeline: String) throws
}

/// The dead-letter file, opened (created) at the first line, so a clean run leaves no empty file;
/// one per path however many pipelines share it, writes serialized under a lock.
final class DeadLetterFileWriter: DeadLetterDestination, @unchecked Sendable {
    let path: String
    private let warn: @Sendable (String) -> Void
    private let lock = NSLock()
    private var file: DeadLetterFile?

    /// Checks now that the file could be made, so a bad path fails at start-up, not mid-run.
    init(path: String, warn: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.path = path
        self.warn = warn
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw SIEMError.output(path: path, message: "dead-letter directory '\(directory)' does not exist")
        }
    }

    func write(rows rejected: [(row: Int, reason: String)], unreadable: [UnreadableRow], of batch: RowBatch) throws {
        guard !rejected.isEmpty || !unreadable.isEmpty else { return }
        try append(DeadLetterLines.rows(rejected, unreadable: unreadable, of: batch))
    }

    func write(refusals: [Refusal], of batch: EncodedBatch, pipeline: String) throws {
        guard !refusals.isEmpty else { return }
        try append(DeadLetterLines.refusals(refusals, of: batch, pipeline: pipeline))
    }

    private func append(_ lines: [UInt8]) throws {
        try lock.withLock {
            if file == nil { file = try DeadLetterFile(path: path, warn: warn) }
            try file!.appendLines(lines)
        }
    }
}

/// For a one-shot `export` without `--dead-letter FILE`: one line per row or event on standard
/// error, with its id and the reason, so nothing is passed over without a word.
final class StderrDeadLetters: DeadLetterDestination, @unchecked Sendable {
    var path: String { "standard error" }

    func write(rows rejected: [(row: Int, reason: String)], unreadable: [UnreadableRow], of batch: RowBatch) throws {
        for (row, reason) in rejected {
            StandardError.print("warning: row \(batch.ids[row]) cannot become an event: \(reason)")
        }
        for row in unreadable {
            StandardError.print("warning: row \(row.position.id) cannot be read: \(row.reason) (\(row.location))")
        }
    }

    func write(refusals: [Refusal], of batch: EncodedBatch, pipeline: String) throws {
        for refusal in refusals {
            StandardError.print(
                "warning: the receiver refused event \(batch.eventIDs[refusal.index]): \(refusal.reason)")
        }
    }
}

/// The JSON lines of the dead-letter file.
enum DeadLetterLines {
    /// Rows a mapper refused and what the source could not read, merged in position order.
    static func rows(
        _ rejected: [(row: Int, reason: String)], unreadable: [UnreadableRow] = [], of batch: RowBatch
    ) -> [UInt8] {
        var writer = RecordWriter(capacity: 1_024 * rejected.count + unreadable.reduce(0) { $0 + $1.raw.count + 256 })
        let now = Int64(Date().timeIntervalSince1970)
        var next = unreadable[...]
        for (row, reason) in rejected {
            while let first = next.first, first.position < batch.position(row) {
                render(first, at: now, into: &writer)
                next = next.dropFirst()
            }
            render(id: batch.ids[row], columns: batch.row(row), reason: reason, at: now, into: &writer)
            writer.endRecord()
        }
        for row in next { render(row, at: now, into: &writer) }
        return writer.bytes
    }

    /// What the source could not read: its bytes as read, so the line can be repaired and
    /// appended again; hex when they are not UTF-8, which a JSON string cannot hold faithfully.
    static func render(_ row: UnreadableRow, at now: Int64, into w: inout RecordWriter) {
        w.beginObject()
        w.key("time")
        w.rfc3339(now)
        w.key("source_row_id")
        w.int(row.position.id)
        if row.position.epoch != 0 {
            w.key("source_row_epoch")
            w.int(row.position.epoch)
        }
        w.key("reason")
        w.string(row.reason)
        w.key("location")
        w.string(row.location)
        if row.raw.withUnsafeBufferPointer(UTF8Validation.isValid) {
            w.key("raw")
            w.string(String(decoding: row.raw, as: UTF8.self))
        } else {
            w.key("raw_hex")
            w.string(row.raw.map { String(format: "%02x", $0) }.joined())
        }
        w.key("raw_bytes")
        w.int(Int64(row.byteCount))
        if row.raw.count < row.byteCount {
            w.key("raw_truncated")
            w.bool(true)
        }
        w.endObject()
        w.endRecord()
    }

    static func refusals(_ refusals: [Refusal], of batch: EncodedBatch, pipeline: String) -> [UInt8] {
        var writer = RecordWriter(capacity: 1_024 * refusals.count)
        let now = Int64(Date().timeIntervalSince1970)
        for refusal in refusals {
            writer.beginObject()
            writer.key("time")
            writer.rfc3339(now)
            writer.key("pipeline")
            writer.string(pipeline)
            writer.key("event_id")
            writer.int(batch.eventIDs[refusal.index])
            writer.key("reason")
            writer.string(refusal.reason)
            writer.key("record")
            writer.string(String(decoding: batch.document(refusal.index), as: UTF8.self))
            writer.endObject()
            writer.endRecord()
        }
        return writer.bytes
    }

    static func render(
        id: Int64, columns: [(column: String, value: SQLValue)], reason: String, at now: Int64,
        into w: inout RecordWriter
    ) {
        w.beginObject()
        w.key("time")
        w.rfc3339(now)
        w.key("source_row_id")
        w.int(id)
        w.key("reason")
        w.string(reason)
        w.key("row")
        w.beginObject()
        w.key("id")
        w.int(id)
        for (name, value) in columns where name != "id" {
            w.key(name)
            switch value {
            case .null: w.null()
            case .integer(let i): w.int(i)
            case .real(let d):
                if d.isFinite {
                    w.value(.number(String(d)))  // Swift's shortest form that reads back to the same double
                } else {
                    w.string(d > 0 ? "Infinity" : "-Infinity")
                }
            case .text(let t): w.string(t)
            case .blob(let bytes):
                w.beginObject()
                w.key("blob_hex")
                w.string(bytes.map { String(format: "%02x", $0) }.joined())
                w.endObject()
            }
        }
        w.endObject()
        w.endObject()
    }
}
