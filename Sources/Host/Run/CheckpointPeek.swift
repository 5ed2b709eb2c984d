import Foundation
import GRDBSQLite
import SIEMCore

extension CheckpointStore {
    /// A pipeline's checkpoint read without writing anything (`tap`): 0 when the state file or
    /// the pipeline's row does not exist. The file is opened read-only; without a `-wal` beside
    /// it (no run active, none crashed) as `immutable`, so SQLite creates no `-wal` or `-shm`
    /// either (sqlite.org/uri.html#uriimmutable) — with one, the existing files are read as is.
    static func peekPosition(path: String, pipeline: String, source: String) throws -> SourcePosition {
        guard FileManager.default.fileExists(atPath: path) else { return .start }
        var handle: OpaquePointer?
        defer { sqlite3_close_v2(handle) }
        let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        let immutable = FileManager.default.fileExists(atPath: path + "-wal") ? "" : "&immutable=1"
        let uri = "file:\(escaped)?mode=ro\(immutable)"
        func failure(_ what: String) -> SIEMError {
            SIEMError.checkpoint(
                path: path, message: "\(what): \(handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open")")
        }
        guard sqlite3_open_v2(uri, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil) == SQLITE_OK else {
            throw failure("cannot open state file")
        }
        sqlite3_busy_timeout(handle, 5_000)
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        // State files from before positions had an epoch lack the column: theirs is 0.
        for epoch in ["epoch", "0"] {
            let sql = "SELECT source, last_id, \(epoch) FROM checkpoints WHERE pipeline = ?1"
            if sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK { break }
            let message = String(cString: sqlite3_errmsg(handle))
            // A state file from before any run has no table yet.
            if message.contains("no such table") { return .start }
            guard message.contains("no such column") else { throw failure("cannot read state file") }
        }
        guard statement != nil else { throw failure("cannot read state file") }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        sqlite3_bind_text(statement, 1, pipeline, -1, transient)
        switch sqlite3_step(statement) {
        case SQLITE_ROW:
            let recorded = String(cString: sqlite3_column_text(statement, 0))
            guard recorded == source else {
                throw SIEMError.checkpoint(
                    path: path,
                    message: "pipeline '\(pipeline)' was checkpointed for source '\(recorded)', not '\(source)'")
            }
            return SourcePosition(epoch: sqlite3_column_int64(statement, 2), id: sqlite3_column_int64(statement, 1))
        case SQLITE_DONE:
            return .start
        default:
            throw failure("cannot read state file")
        }
    }

    /// A checkpoint past the source's end: positions only grow, so this is another or an older
    /// copy of the database, whose rows would be skipped without a word.
    static func pastTheEnd(pipeline: String, at after: SourcePosition, end: SourcePosition, path: String) -> SIEMError {
        SIEMError.checkpoint(
            path: path,
            message:
                "pipeline '\(pipeline)' is checkpointed at \(after) but the source ends at \(end): was it replaced or restored from an older copy? Use a new state file to export it from the start"
        )
    }

    /// What `run` would refuse in a stream's state file before reading a row (`validate`): a file
    /// that is not one, a checkpoint of another source, or one past `end`, the source's end.
    static func problems(of stream: AssembledStream, end: SourcePosition) -> [SIEMError] {
        guard let path = stream.checkpointPath else { return [] }
        do {
            var found: [SIEMError] = []
            for pipeline in stream.pipelines {
                let after = try peekPosition(path: path, pipeline: pipeline.name, source: stream.source.identity)
                if after > end { found.append(pastTheEnd(pipeline: pipeline.name, at: after, end: end, path: path)) }
            }
            return found
        } catch let error as SIEMError {
            return [error]
        } catch {
            return [SIEMError.checkpoint(path: path, message: "\(error)")]
        }
    }
}
