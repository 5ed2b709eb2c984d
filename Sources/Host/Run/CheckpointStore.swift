import Foundation
import GRDB
import SIEMCore

/// Each pipeline's last delivered source id, kept durably in a small SQLite state file.
///
/// WAL journal and `synchronous = FULL`: an update is durable when `advance` returns, and a
/// crash at any moment leaves either the old or the new value. The source's identity is kept
/// beside the id, so pointing a config at another database is refused instead of silently
/// skipping (or re-sending) its rows.
public final class CheckpointStore {
    public let path: String
    private let queue: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw SIEMError.checkpoint(path: path, message: "directory '\(directory)' does not exist")
        }
        var configuration = Configuration()
        configuration.label = "checkpoint"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS checkpoints (
                            pipeline TEXT PRIMARY KEY,
                            source TEXT NOT NULL,
                            last_id INTEGER NOT NULL,
                            updated_unix INTEGER NOT NULL
                        )
                        """)
            }
        } catch let error as DatabaseError {
            throw SIEMError.checkpoint(path: path, message: "cannot open state file: \(error.message ?? "\(error)")")
        }
    }

    /// The last delivered id of `pipeline`, 0 when it has never run.
    public func lastID(pipeline: String, source: String) throws -> Int64 {
        let row = try guarded {
            try queue.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT source, last_id FROM checkpoints WHERE pipeline = ?", arguments: [pipeline])
            }
        }
        guard let row else { return 0 }
        let recorded: String = row["source"]
        guard recorded == source else {
            throw SIEMError.checkpoint(
                path: path,
                message:
                    "pipeline '\(pipeline)' was checkpointed for source '\(recorded)', not '\(source)'; use another state file for another database"
            )
        }
        return row["last_id"]
    }

    /// Records that `pipeline` has delivered everything up to and including `lastID`.
    public func advance(pipeline: String, source: String, to lastID: Int64) throws {
        let now = Int64(Date().timeIntervalSince1970)
        try guarded {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO checkpoints (pipeline, source, last_id, updated_unix) VALUES (?, ?, ?, ?)
                        ON CONFLICT(pipeline) DO UPDATE SET source = excluded.source, last_id = excluded.last_id,
                            updated_unix = excluded.updated_unix
                        """, arguments: [pipeline, source, lastID, now])
            }
        }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw SIEMError.checkpoint(path: path, message: error.message ?? "\(error)")
        }
    }
}
