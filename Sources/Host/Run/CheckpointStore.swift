import Foundation
import GRDB
import SIEMCore

/// Each pipeline's last delivered source position, kept durably in a small SQLite state file,
/// with what sources remember besides (`SourceStateStore`).
///
/// WAL journal and `synchronous = FULL`: an update is durable when `advance` returns, and a
/// crash at any moment leaves either the old or the new value. The source's identity is kept
/// beside the id, so pointing a config at another database is refused instead of silently
/// skipping (or re-sending) its rows.
public final class CheckpointStore: Sendable {
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
                // State files from before positions had an epoch: theirs is 0.
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(checkpoints)").map { $0["name"] as String }
                if !columns.contains("epoch") {
                    try db.execute(sql: "ALTER TABLE checkpoints ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0")
                }
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS source_state (
                            source TEXT NOT NULL,
                            key TEXT NOT NULL,
                            value TEXT NOT NULL,
                            PRIMARY KEY (source, key)
                        )
                        """)
            }
        } catch let error as DatabaseError {
            throw SIEMError.checkpoint(path: path, message: "cannot open state file: \(error.message ?? "\(error)")")
        }
    }

    /// The last delivered position of `pipeline`, `.start` when it has never run.
    public func position(pipeline: String, source: String) throws -> SourcePosition {
        let row = try guarded {
            try queue.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT source, epoch, last_id FROM checkpoints WHERE pipeline = ?",
                    arguments: [pipeline])
            }
        }
        guard let row else { return .start }
        let recorded: String = row["source"]
        guard recorded == source else {
            throw SIEMError.checkpoint(
                path: path,
                message:
                    "pipeline '\(pipeline)' was checkpointed for source '\(recorded)', not '\(source)'; use another state file for another database"
            )
        }
        return SourcePosition(epoch: row["epoch"], id: row["last_id"])
    }

    /// Records that `pipeline` has delivered everything up to and including `position`.
    public func advance(pipeline: String, source: String, to position: SourcePosition) throws {
        try advance([(pipeline, position)], source: source)
    }

    /// Records several pipelines' checkpoints in one transaction: durable together, with one fsync.
    public func advance(_ checkpoints: [(pipeline: String, position: SourcePosition)], source: String) throws {
        let now = Int64(Date().timeIntervalSince1970)
        try guarded {
            try queue.write { db in
                for (pipeline, position) in checkpoints {
                    try db.execute(
                        sql: """
                            INSERT INTO checkpoints (pipeline, source, epoch, last_id, updated_unix) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT(pipeline) DO UPDATE SET source = excluded.source, epoch = excluded.epoch,
                                last_id = excluded.last_id, updated_unix = excluded.updated_unix
                            """, arguments: [pipeline, source, position.epoch, position.id, now])
                }
            }
        }
    }

    /// `source`'s own state, kept in this file.
    public func state(for source: String) -> any SourceStateStore { ScopedState(store: self, source: source) }

    fileprivate func stateValue(source: String, key: String) throws -> String? {
        try guarded {
            try queue.read { db in
                try String.fetchOne(
                    db, sql: "SELECT value FROM source_state WHERE source = ? AND key = ?", arguments: [source, key])
            }
        }
    }

    fileprivate func setState(source: String, key: String, value: String?) throws {
        try guarded {
            try queue.write { db in
                if let value {
                    try db.execute(
                        sql: """
                            INSERT INTO source_state (source, key, value) VALUES (?, ?, ?)
                            ON CONFLICT(source, key) DO UPDATE SET value = excluded.value
                            """, arguments: [source, key, value])
                } else {
                    try db.execute(
                        sql: "DELETE FROM source_state WHERE source = ? AND key = ?", arguments: [source, key])
                }
            }
        }
    }

    fileprivate func allState(source: String) throws -> [(key: String, value: String)] {
        try guarded {
            try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT key, value FROM source_state WHERE source = ? ORDER BY key", arguments: [source]
                ).map { ($0["key"], $0["value"]) }
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

/// One source's slice of the state file.
private final class ScopedState: SourceStateStore {
    let store: CheckpointStore
    let source: String

    init(store: CheckpointStore, source: String) {
        self.store = store
        self.source = source
    }

    func value(forKey key: String) throws -> String? { try store.stateValue(source: source, key: key) }
    func set(_ value: String?, forKey key: String) throws { try store.setState(source: source, key: key, value: value) }
    func all() throws -> [(key: String, value: String)] { try store.allState(source: source) }
}
