import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

/// The `postgres_table` source on a real server, exported as `run` does: each export reads from
/// the checkpoint up to the source's end position as it was when the export began, and the
/// checkpoint moves to the last row delivered. The issue's three out-of-order scenarios deliver
/// every row exactly once under both sound rules.
///
/// Serialized, on a server of their own: an open transaction anywhere in the cluster holds back
/// the txid rule (rightly), so other suites' writers must not share it.
@Suite(.serialized) struct PostgresTableSourceTests {
    static let group = "table-source"

    static func source(
        _ database: PostgresTestDatabase, consistency: String, table: String = "events", cursor: String = "id",
        extra: String = "", warnings: WarningLines? = nil
    ) throws -> PostgresTableSource {
        let options = try PostgresTableSource.Options.decode(
            from: JSONOptions(
                #"{"url":"\#(database.server.url(database: database.name))","password":"\#(database.server.password)","table":"\#(table)","cursor":"\#(cursor)","consistency":\#(consistency),"lock_timeout_ms":100\#(extra)}"#
            ))
        var context = PluginContext(baseDirectory: "/")
        if let warnings { context.warn = { warnings.append($0) } }
        return try PostgresTableSource(options: options, context: context)
    }

    /// One export from `checkpoint` to the source's end now; the messages delivered, in order.
    static func export(_ source: PostgresTableSource, from checkpoint: inout SourcePosition) throws -> [String] {
        guard let end = try source.endPosition(), end > checkpoint else { return [] }
        let reader = try source.open(
            SourceQuery(after: checkpoint, through: end), columns: [SourceColumn("message", required: true)])
        var batch = RowBatch(columns: reader.columns)
        var messages: [String] = []
        while true {
            try reader.next(into: &batch, max: 2)
            if batch.isEmpty { break }
            for row in 0..<batch.count { messages.append(batch[row, 0].textValue?.string ?? "NULL") }
            checkpoint = batch.position(batch.count - 1)
        }
        return messages
    }

    static let rules = [#"{"txid_column":"txid"}"#, #""lock_barrier""#]

    /// (1) A takes an id and stays open while B takes a later id and commits; export; A commits;
    /// export again: every row exactly once.
    @Test(arguments: rules)
    func anEarlierIDThatCommitsLateIsDeliveredOnce(consistency: String) throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let source = try Self.source(database, consistency: consistency)
        let a = try database.writer()
        try a.execute("BEGIN; INSERT INTO events (message) VALUES ('a')")
        try database.writer().execute("INSERT INTO events (message) VALUES ('b')")
        var checkpoint = SourcePosition.start
        let whileAOpen = try Self.export(source, from: &checkpoint)
        try a.execute("COMMIT")
        let afterA = try Self.export(source, from: &checkpoint)
        #expect(whileAOpen == [], "nothing passes A's open id")
        #expect(afterA == ["a", "b"])
        #expect(try Self.export(source, from: &checkpoint) == [])
    }

    /// (2) R takes its transaction id first, T inserts (lower id, younger xid) and stays open, R
    /// inserts (higher id) and commits; export; T commits; export again: T's row is delivered.
    @Test(arguments: rules)
    func aLowerIDWithAYoungerTransactionIsDelivered(consistency: String) throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let source = try Self.source(database, consistency: consistency)
        let r = try database.writer()
        let t = try database.writer()
        try r.execute("BEGIN; SELECT pg_current_xact_id()")
        try t.execute("BEGIN; INSERT INTO events (message) VALUES ('t')")
        try r.execute("INSERT INTO events (message) VALUES ('r'); COMMIT")
        var checkpoint = SourcePosition.start
        let whileTOpen = try Self.export(source, from: &checkpoint)
        try t.execute("COMMIT")
        let afterT = try Self.export(source, from: &checkpoint)
        #expect(Set(whileTOpen + afterT) == ["r", "t"])
        #expect((whileTOpen + afterT).count == 2, "each row once: \(whileTOpen) then \(afterT)")
        #expect(afterT.contains("t"), "T's row comes once T commits")
    }

    /// (3) A rolled-back insert leaves a permanent gap that does not stall the export.
    @Test(arguments: rules)
    func aRolledBackInsertLeavesAGapThatDoesNotStall(consistency: String) throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let source = try Self.source(database, consistency: consistency)
        let writer = try database.writer()
        try writer.execute("INSERT INTO events (message) VALUES ('1')")
        try writer.execute("BEGIN; INSERT INTO events (message) VALUES ('rolled back'); ROLLBACK")
        try writer.execute("INSERT INTO events (message) VALUES ('3')")
        var checkpoint = SourcePosition.start
        #expect(try Self.export(source, from: &checkpoint) == ["1", "3"])
        try writer.execute("BEGIN; INSERT INTO events (message) VALUES ('gone'); ROLLBACK")
        try writer.execute("INSERT INTO events (message) VALUES ('5')")
        #expect(try Self.export(source, from: &checkpoint) == ["5"])
        #expect(checkpoint.id == 5)
    }

    @Test func theTxidRulePositionsEachRowByItsTransaction() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let source = try Self.source(database, consistency: #""txid_column""#)
        let writer = try database.writer()
        try writer.execute("INSERT INTO events (message) VALUES ('x')")
        let txid = try #require(Int64(try writer.scalar("SELECT txid::text FROM events") ?? ""))
        #expect(try source.endPosition() == SourcePosition(epoch: txid, id: 1))
        #expect(source.identity.hasPrefix("postgresql://127.0.0.1:"))
        #expect(source.identity.hasSuffix("/\(database.name)/public.events"))
    }

    @Test func columnsFollowTheSameContractAsSQLiteTable() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        try database.writer().execute(
            #"ALTER TABLE events ADD COLUMN "Actor" text; INSERT INTO events (message, "Actor") VALUES ('m', 'alice')"#)
        let source = try Self.source(database, consistency: #""lock_barrier""#)
        let reader = try source.open(
            SourceQuery(through: try source.endPosition()),
            columns: [
                SourceColumn("actor"), SourceColumn("message"), SourceColumn("not_there", required: false),
                SourceColumn("message"),
            ])
        var batch = RowBatch(columns: reader.columns)
        try reader.next(into: &batch, max: 10)
        #expect(batch.columns == ["actor", "message", "not_there", "message"])
        #expect(batch.count == 1)
        #expect(batch[0, 0].textValue?.string == "alice", "a column found whatever its case")
        #expect(batch[0, 1].textValue?.string == "m")
        #expect(batch[0, 2] == .null, "an optional column the table lacks reads as NULL")
        #expect(batch[0, 3].textValue?.string == "m")
        #expect(batch.position(0) == SourcePosition(id: 1))

        let missing = try #require(throws: SIEMError.self) {
            _ = try source.open(
                SourceQuery(), columns: [SourceColumn("mesage", required: true, configPath: "fields.message")])
        }
        #expect(missing.exitCode == 66)
        #expect(
            missing.what
                == "table public.events lacks column 'mesage' (named by the mapper's fields.message) (did you mean 'message'?); its columns: id, txid, message, Actor",
            "\(missing)")
    }

    @Test func aTableThatFitsNoRuleIsRefusedAtValidateWithTheReason() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        try database.writer().execute(
            """
            CREATE TABLE plain (id bigint PRIMARY KEY, txid xid8, at text, message text);
            CREATE TABLE cached (id bigserial PRIMARY KEY, message text);
            ALTER SEQUENCE cached_id_seq CACHE 20;
            """)
        func refusal(_ consistency: String, table: String = "plain", cursor: String = "id") throws -> SIEMError {
            try #require(throws: SIEMError.self) {
                _ = try Self.source(database, consistency: consistency, table: table, cursor: cursor)
            }
        }
        let noDefault = try refusal(#"{"txid_column":"txid"}"#)
        #expect(noDefault.what.hasPrefix("txid column 'txid' of table public.plain has no DEFAULT"), "\(noDefault)")
        let notXid8 = try refusal(#"{"txid_column":"at"}"#)
        #expect(notXid8.what.contains("is text; it must be xid8"), "\(notXid8)")
        let noSequence = try refusal(#""lock_barrier""#)
        #expect(noSequence.exitCode == 78)
        #expect(noSequence.what.contains("has no sequence of its own"), "\(noSequence)")
        let caching = try refusal(#""lock_barrier""#, table: "cached")
        #expect(caching.what.contains("CACHE 1"), "\(caching)")
        let notInteger = try refusal(#""lock_barrier""#, cursor: "at")
        #expect(notInteger.what.contains("must be an integer"), "\(notInteger)")
        let noTable = try refusal(#""lock_barrier""#, table: "event")
        #expect(noTable.what.hasPrefix("table event does not exist"), "\(noTable)")
        #expect(noTable.what.contains("did you mean 'events'"), "\(noTable)")

        // Only a flag whose name says what it risks reads such a table, with a warning.
        let warnings = WarningLines()
        let unsafe = try Self.source(database, consistency: #""unsafe_id_order""#, table: "plain", warnings: warnings)
        #expect(try unsafe.endPosition() == nil)
        #expect(warnings.lines.contains { $0.contains("unsafe_id_order skips for good") }, "\(warnings.lines)")
    }

    @Test(arguments: [
        (#"{"url":"postgresql://x@127.0.0.1/db","table":"t","cursor":"id"}"#, "consistency: is required"),
        (
            #"{"url":"postgresql://x@127.0.0.1/db","table":"t","cursor":"id","consistency":"lock-barrier"}"#,
            "expected one of: txid_column, lock_barrier, unsafe_id_order (did you mean 'lock_barrier'?)"
        ),
        (
            #"{"url":"postgresql://x@127.0.0.1/db","table":"t","cursor":"id","consistency":{"txid":"t"}}"#,
            "unknown rule 'txid'; expected txid_column or lock_barrier"
        ),
        (#"{"table":"t","cursor":"id","consistency":"lock_barrier"}"#, "url: is required"),
    ])
    func optionsNameWhatIsWrong(json: String, message: String) {
        do {
            _ = try PostgresTableSource.Options.decode(from: JSONOptions(json))
            Issue.record("accepted: \(json)")
        } catch {
            #expect(
                "\(error)".hasPrefix(
                    message.hasPrefix("expected") || message.hasPrefix("unknown") ? "consistency: " : message),
                "\(error)")
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func consistencyReadsEveryWrittenForm() throws {
        func decoded(_ value: String) throws -> PostgresConsistency? {
            try PostgresTableSource.Options.decode(
                from: JSONOptions(#"{"url":"u","table":"t","cursor":"id","consistency":\#(value)}"#)
            ).consistency
        }
        #expect(try decoded(#""txid_column""#) == .txidColumn("txid"))
        #expect(try decoded(#"{"txid_column":"xid"}"#) == .txidColumn("xid"))
        #expect(try decoded(#""lock_barrier""#) == .lockBarrier(sequence: nil))
        #expect(try decoded(#"{"lock_barrier":"audit.seq"}"#) == .lockBarrier(sequence: "audit.seq"))
        #expect(try decoded(#""unsafe_id_order""#) == .unsafeIDOrder)
    }

    /// A restart mid-export: the read that fails is repeated after a reconnect, from the same
    /// cursor, with a warning; every row arrives once.
    @Test func aServerRestartMidRunIsReconnectedAndLosesNothing() throws {
        let server = try PostgresTestServer()
        let database = try PostgresTestDatabase(on: server)
        try database.writer().execute("INSERT INTO events (message) SELECT 'm' || n FROM generate_series(1, 5) n")
        let warnings = WarningLines()
        let source = try Self.source(database, consistency: #""txid_column""#, warnings: warnings)
        let reader = try source.open(
            SourceQuery(through: try source.endPosition()), columns: [SourceColumn("message")])
        var batch = RowBatch(columns: reader.columns)
        try reader.next(into: &batch, max: 3)
        var delivered = (0..<batch.count).map { batch[$0, 0].textValue!.string }
        try server.restart()
        while true {
            try reader.next(into: &batch, max: 3)
            if batch.isEmpty { break }
            delivered += (0..<batch.count).map { batch[$0, 0].textValue!.string }
        }
        #expect(delivered == ["m1", "m2", "m3", "m4", "m5"])
        #expect(warnings.lines.contains { $0.contains("reconnecting in 0.5 s (attempt 1/5)") }, "\(warnings.lines)")
        #expect(!warnings.lines.joined().contains(server.password))
    }

    @Test func anUnreachableServerIsRetryableAndAWrongPasswordIsNot() throws {
        let port = try LoopbackPort.freeTCP()
        let unreachable = try #require(throws: SIEMError.self) {
            _ = try PostgresTableSource(
                options: PostgresTableSource.Options.decode(
                    from: JSONOptions(
                        #"{"url":"postgresql://siem@127.0.0.1:\#(port)/db","table":"events","cursor":"id","consistency":"lock_barrier","connect_timeout_s":2}"#
                    )), context: PluginContext(baseDirectory: "/"))
        }
        #expect(unreachable.exitCode == 75, "\(unreachable)")
        let database = try PostgresTestDatabase(on: .shared(Self.group))
        let wrong = try #require(throws: SIEMError.self) {
            _ = try PostgresTableSource(
                options: PostgresTableSource.Options.decode(
                    from: JSONOptions(
                        #"{"url":"\#(database.server.url(database: database.name))","password":"not-the-password","table":"events","cursor":"id","consistency":"lock_barrier"}"#
                    )), context: PluginContext(baseDirectory: "/"))
        }
        #expect(wrong.exitCode == 78, "\(wrong)")
        #expect(!wrong.description.contains("not-the-password"))
    }

    @Test func aServerAcrossANetworkMustBeVerified() throws {
        let error = try #require(throws: SIEMError.self) {
            _ = try PostgresTableSource(
                options: PostgresTableSource.Options.decode(
                    from: JSONOptions(
                        #"{"url":"postgresql://siem@db.example.invalid/app","sslmode":"require","table":"events","cursor":"id","consistency":"lock_barrier"}"#
                    )), context: PluginContext(baseDirectory: "/"))
        }
        #expect(error.exitCode == 78)
        #expect(error.what.contains("needs verify-full (or verify-ca)"), "\(error)")
    }

    @Test func theRegistryPresetReadsTheEventsTableByTxid() throws {
        let database = try PostgresTestDatabase(on: .shared(Self.group), table: false)
        try database.writer().execute(PostgresRegistrySchema.ddl)
        try database.writer().execute(
            "INSERT INTO events (token_id, kind, timestamp) VALUES ('tok', 'dns', 1700000000)")
        let source = try OversightRegistryPostgresSource(
            options: OversightRegistryPostgresSource.Options.decode(
                from: JSONOptions(
                    #"{"url":"\#(database.server.url(database: database.name))","password":"\#(database.server.password)"}"#
                )), context: PluginContext(baseDirectory: "/"))
        let end = try #require(try source.endPosition())
        #expect(end.id == 1 && end.epoch > 0)
        let mapper = try OversightBeaconMapper(
            options: OversightBeaconMapper.Options.decode(from: JSONOptions(#"{"registry_id":"reg"}"#)),
            context: PluginContext(baseDirectory: "/"))
        let reader = try source.open(SourceQuery(through: end), columns: mapper.columns)
        var batch = RowBatch(columns: reader.columns)
        try reader.next(into: &batch, max: 10)
        let event = try mapper.map(batch, row: 0)
        #expect(event.eventID == 1)
        #expect(event.occurredUnix == 1_700_000_000)

        try database.writer().execute("CREATE TABLE other (id bigserial, txid xid8 DEFAULT pg_current_xact_id())")
        let noKind = try #require(throws: SIEMError.self) {
            _ = try OversightRegistryPostgresSource(
                options: OversightRegistryPostgresSource.Options.decode(
                    from: JSONOptions(
                        #"{"url":"\#(database.server.url(database: database.name))","password":"\#(database.server.password)","table":"other"}"#
                    )), context: PluginContext(baseDirectory: "/"))
        }
        #expect(noKind.what.hasPrefix("column 'kind' does not exist in table public.other"), "\(noKind)")
    }
}

/// Warnings a plugin gave its context.
final class WarningLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
