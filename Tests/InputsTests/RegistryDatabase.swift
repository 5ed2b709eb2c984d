import Foundation
import GRDB
import SIEMTestSupport

/// A throwaway registry database for tests, written with GRDB as the registry would.
struct RegistryDatabase {
    let path: String
    let queue: DatabaseQueue
    let directory: TemporaryDirectory

    static let schema = """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, token_id TEXT NOT NULL, file_id TEXT, recipient_id TEXT,
            issuer_id TEXT, kind TEXT NOT NULL, source_ip TEXT, user_agent TEXT, extra TEXT,
            timestamp INTEGER NOT NULL, qualified_timestamp TEXT, tlog_index INTEGER)
        """

    init(schema: String = RegistryDatabase.schema, wal: Bool = true) throws {
        directory = try TemporaryDirectory("siem-registry")
        path = directory.appending("registry.sqlite").path
        queue = try DatabaseQueue(path: path)
        if wal { try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") } }
        try queue.write { try $0.execute(sql: schema) }
    }

    /// Inserts `count` rows of kind cycling through the four beacon kinds, timestamps descending
    /// every third row so timestamp order differs from id order.
    func insert(_ count: Int, startingAt first: Int = 1) throws {
        let kinds = ["dns", "http_img", "ocsp", "license"]
        try queue.write { db in
            for i in first..<(first + count) {
                try db.execute(
                    sql: "INSERT INTO events (token_id, kind, source_ip, timestamp, tlog_index) VALUES (?, ?, ?, ?, ?)",
                    arguments: ["tok\(i)", kinds[i % 4], "198.51.100.\(i % 250)", 1_000_000 + (i % 3 == 0 ? -i : i), i])
            }
        }
    }
}
