import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport

/// A database of its own on a test server (the shared one unless given), with an `events`
/// table whose ids come from a sequence and whose `txid` column records the writing transaction.
struct PostgresTestDatabase {
    let server: PostgresTestServer
    let name: String

    init(on server: PostgresTestServer? = nil, table: Bool = true) throws {
        self.server = try server ?? PostgresTestServer.shared()
        name = try self.server.makeDatabase()
        if table {
            try writer().execute(
                """
                CREATE TABLE events (
                    id bigserial PRIMARY KEY,
                    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                    message text
                );
                CREATE INDEX events_txid_id ON events (txid, id);
                """)
        }
    }

    /// What the exporter connects with: TCP to 127.0.0.1, password authentication.
    var options: PostgresConnectionOptions {
        PostgresConnectionOptions(target: .url(server.url(database: name)), password: server.password)
    }

    func connect() throws -> PostgresConnection { try PostgresConnection(options) }

    func reader(
        _ rule: PostgresKeysetRule, columns: [String]? = ["message"], lockTimeout: Int = 1_000
    ) throws
        -> PostgresKeysetReader
    {
        try PostgresKeysetReader(
            connection: connect(), table: "events", columns: columns, rule: rule,
            barrierLockTimeoutMilliseconds: lockTimeout)
    }

    /// A separate session playing a concurrent writer (it may hold a transaction open).
    func writer() throws -> PostgresTestServer.Session { try server.session(database: name) }
}

/// Reads batches until the reader says nothing more is ready, as an export run would, moving
/// the cursor it is given; returns the `message` of every row, in delivery order.
func drain(_ reader: PostgresKeysetReader, from cursor: inout PostgresCursor, max: Int = 2) throws -> [String] {
    var batch = PostgresRowBatch()
    var messages: [String] = []
    repeat {
        try reader.read(after: cursor, max: max, into: &batch)
        for row in 0..<batch.count { messages.append(batch.value("message", row: row)?.textValue?.string ?? "NULL") }
        cursor = batch.resumeCursor
    } while !batch.reachedEnd
    return messages
}

extension SIEMError {
    /// The retryable kind this module uses for an unavailable server.
    var isLocked: Bool {
        if case .locked = self { return true }
        return false
    }
}

/// Runs a blocking read on a thread of its own (not the test's cooperative pool, which a read
/// that waits on a lock would starve), so a test can watch it wait.
final class BackgroundRead: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<[String], any Error>?

    init(_ body: @escaping @Sendable () throws -> [String]) {
        let thread = Thread { [self] in
            outcome = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    /// The read's rows, waiting at most `seconds`; nil if it is still running.
    func result(waiting seconds: Double) throws -> [String]? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()
        return try outcome!.get()
    }
}
