import Foundation
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
            #expect(try store.lastID(pipeline: "splunk", source: "/db") == 0)
            try store.advance(pipeline: "splunk", source: "/db", to: 500)
            try store.advance(pipeline: "splunk", source: "/db", to: 1_000)
            try store.advance(pipeline: "ecs", source: "/db", to: 7)
        }
        let reopened = try CheckpointStore(path: file)
        #expect(try reopened.lastID(pipeline: "splunk", source: "/db") == 1_000)
        #expect(try reopened.lastID(pipeline: "ecs", source: "/db") == 7)
    }

    @Test func refusesACheckpointRecordedForAnotherDatabase() throws {
        let store = try CheckpointStore(path: try path())
        try store.advance(pipeline: "splunk", source: "/a.sqlite", to: 9)
        #expect(throws: SIEMError.self) { try store.lastID(pipeline: "splunk", source: "/b.sqlite") }
    }

    @Test func aCorruptStateFileIsReportedNeverReset() throws {
        let file = try path()
        try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: file))
        do {
            let store = try CheckpointStore(path: file)
            _ = try store.lastID(pipeline: "x", source: "/db")
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
