import Foundation
import GRDB
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost

@Suite struct CheckpointStoreTests {
    let temporary = try! TemporaryDirectory("siem-state")

    func path() throws -> String {
        let dir = temporary.appending(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("state.sqlite").path
    }

    @Test func startsAtZeroAndPersistsAcrossReopen() throws {
        let file = try path()
        do {
            let store = try CheckpointStore(path: file)
            #expect(try store.position(pipeline: "splunk", source: "/db") == 0)
            try store.advance(pipeline: "splunk", source: "/db", to: 500)
            try store.advance(pipeline: "splunk", source: "/db", to: 1_000)
            try store.advance(pipeline: "ecs", source: "/db", to: 7)
        }
        let reopened = try CheckpointStore(path: file)
        #expect(try reopened.position(pipeline: "splunk", source: "/db") == 1_000)
        #expect(try reopened.position(pipeline: "ecs", source: "/db") == 7)
    }

    @Test func keepsAPositionsEpochBesideItsId() throws {
        let file = try path()
        do {
            let store = try CheckpointStore(path: file)
            try store.advance(pipeline: "pg", source: "/db", to: SourcePosition(epoch: 9_000_000_001, id: 42))
        }
        #expect(
            try CheckpointStore(path: file).position(pipeline: "pg", source: "/db")
                == SourcePosition(epoch: 9_000_000_001, id: 42))
    }

    /// A state file written before positions had an epoch keeps its checkpoints (epoch 0).
    @Test func readsAStateFileFromBeforeEpochs() throws {
        let file = try path()
        do {
            let queue = try DatabaseQueue(path: file)
            try queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE checkpoints (pipeline TEXT PRIMARY KEY, source TEXT NOT NULL,
                            last_id INTEGER NOT NULL, updated_unix INTEGER NOT NULL);
                        INSERT INTO checkpoints VALUES ('splunk', '/db', 1234, 0);
                        """)
            }
        }
        let store = try CheckpointStore(path: file)
        #expect(try store.position(pipeline: "splunk", source: "/db") == SourcePosition(epoch: 0, id: 1_234))
        try store.advance(pipeline: "splunk", source: "/db", to: SourcePosition(epoch: 3, id: 1))
        #expect(try store.position(pipeline: "splunk", source: "/db") == SourcePosition(epoch: 3, id: 1))
    }

    @Test func keepsEachSourcesStateApartAndAcrossReopen() throws {
        let file = try path()
        do {
            let store = try CheckpointStore(path: file)
            let a = store.state(for: "/logs/a.jsonl")
            try a.set("1", forKey: "file.2")
            try a.set("0", forKey: "file.1")
            try store.state(for: "/logs/b.jsonl").set("other", forKey: "file.1")
            try a.set("gone", forKey: "scratch")
            try a.set(nil, forKey: "scratch")
        }
        let reopened = try CheckpointStore(path: file).state(for: "/logs/a.jsonl")
        #expect(try reopened.value(forKey: "file.1") == "0")
        #expect(try reopened.value(forKey: "scratch") == nil)
        #expect(try reopened.all().map { "\($0.key)=\($0.value)" } == ["file.1=0", "file.2=1"])
    }

    @Test func refusesACheckpointRecordedForAnotherDatabase() throws {
        let store = try CheckpointStore(path: try path())
        try store.advance(pipeline: "splunk", source: "/a.sqlite", to: 9)
        #expect(throws: SIEMError.self) { try store.position(pipeline: "splunk", source: "/b.sqlite") }
    }

    @Test func aCorruptStateFileIsReportedNeverReset() throws {
        let file = try path()
        try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: file))
        do {
            let store = try CheckpointStore(path: file)
            _ = try store.position(pipeline: "x", source: "/db")
            Issue.record("a corrupt state file was accepted")
        } catch let error as SIEMError {
            guard case .checkpoint(let where_, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(where_ == file)
            #expect(error.exitCode == 74)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data(repeating: 0x5A, count: 8_192))
    }

    @Test func aMissingDirectoryIsNamed() {
        #expect(
            throws: SIEMError.checkpoint(
                path: "/nonexistent/dir/state.sqlite", message: "directory '/nonexistent/dir' does not exist")
        ) {
            _ = try CheckpointStore(path: "/nonexistent/dir/state.sqlite")
        }
    }
}
