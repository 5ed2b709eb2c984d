import Foundation
import SIEMCore
import SIEMSinks

/// Where a row that cannot become an event goes, so the run goes on and the row is not lost:
/// one JSON line with its id, the reason and every column as stored, fsynced before any
/// checkpoint can pass the row.
///
/// `{"time":"…","source_row_id":7,"reason":"…","row":{"id":7,"kind":"dns","timestamp":"soon",…}}`
/// Columns keep their SQLite type: INTEGER and finite REAL as numbers, TEXT as strings, a BLOB
/// as `{"blob_hex":"…"}`, an infinite REAL as the string `"Infinity"`/`"-Infinity"`, NULL as null.
public final class RowDeadLetter: @unchecked Sendable {
    public let path: String
    /// Opened (created) at the first rejected row: a clean run leaves no empty file behind.
    private var file: DeadLetterFile?

    /// Checks now that the file could be made, so a bad path fails at start-up, not mid-run.
    init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw SIEMError.output(path: path, message: "dead-letter directory '\(directory)' does not exist")
        }
    }

    /// Writes the rows of one batch at once, durably.
    func append(_ rejected: [(row: SourceRow, reason: String)]) throws {
        guard !rejected.isEmpty else { return }
        var writer = RecordWriter(capacity: 1_024 * rejected.count)
        let now = Int64(Date().timeIntervalSince1970)
        for (row, reason) in rejected {
            Self.render(row, reason: reason, at: now, into: &writer)
            writer.endRecord()
        }
        if file == nil { file = try DeadLetterFile(path: path) }
        try file!.appendLines(writer.bytes)
    }

    static func render(_ row: SourceRow, reason: String, at now: Int64, into w: inout RecordWriter) {
        w.beginObject()
        w.key("time")
        w.rfc3339(now)
        w.key("source_row_id")
        w.int(row.id)
        w.key("reason")
        w.string(reason)
        w.key("row")
        w.beginObject()
        w.key("id")
        w.int(row.id)
        let columns: [(StaticString, SQLValue)] = [
            ("token_id", row.tokenID), ("file_id", row.fileID), ("recipient_id", row.recipientID),
            ("issuer_id", row.issuerID), ("kind", row.kind), ("source_ip", row.sourceIP),
            ("user_agent", row.userAgent), ("extra", row.extra), ("timestamp", row.timestamp),
            ("qualified_timestamp", row.qualifiedTimestamp), ("tlog_index", row.tlogIndex),
        ]
        for (name, value) in columns {
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
