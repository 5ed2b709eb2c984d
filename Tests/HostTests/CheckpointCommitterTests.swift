import Foundation
import GRDB
import SIEMCore
import SIEMTestSupport
import Synchronization
import Testing

@testable import SIEMHost

/// The committer's two promises: a pipeline's checkpoint waits for its previous one to be durable
/// (a crash re-sends at most one batch besides the one in flight), and pipelines never wait for
/// each other's writes (what they record meanwhile goes into the next transaction together).
@Suite struct CheckpointCommitterTests {
    let temporary = try! TemporaryDirectory("siem-committer")

    /// A write stalled by another connection holding the state file's write lock.
    @Test func pipelinesDoNotWaitForEachOthersWritesButEachWaitsForItsOwn() throws {
        let file = temporary.appending("state.sqlite").path
        let store = try CheckpointStore(path: file)
        let committer = CheckpointCommitter(store: store, source: "/db")
        defer { try? committer.close() }
        let holder = try DatabaseQueue(path: file)
        let lockHeld = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let lockThread = Thread {
            try! holder.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                lockHeld.signal()
                release.wait()
                try db.execute(sql: "COMMIT")
            }
        }
        lockThread.start()
        lockHeld.wait()

        try committer.record(pipeline: "a", position: 10)  // taken by the writer, which now waits for the lock
        usleep(100_000)
        try committer.record(pipeline: "b", position: 20)
        try committer.record(pipeline: "c", position: 30)  // neither waited for a's write
        let secondOfA = Mutex(false)
        let recorded = DispatchSemaphore(value: 0)
        Thread {
            try! committer.record(pipeline: "a", position: 11)
            secondOfA.withLock { $0 = true }
            recorded.signal()
        }.start()
        usleep(200_000)
        #expect(!secondOfA.withLock { $0 }, "a's next checkpoint waits while its previous one is not durable")

        release.signal()
        #expect(recorded.wait(timeout: .now() + 10) == .success)
        try committer.flush()
        #expect(try store.position(pipeline: "a", source: "/db") == 11)
        #expect(try store.position(pipeline: "b", source: "/db") == 20)
        #expect(try store.position(pipeline: "c", source: "/db") == 30)
    }

    /// A write that fails is reported by the next record and by flush, not dropped.
    @Test func aFailedWriteIsReportedByTheNextRecordAndFlush() throws {
        let file = temporary.appending("broken.sqlite").path
        let store = try CheckpointStore(path: file)
        let committer = CheckpointCommitter(store: store, source: "/db")
        defer { try? committer.close() }
        let holder = try DatabaseQueue(path: file)
        try holder.inDatabase { db in try db.execute(sql: "DROP TABLE checkpoints") }
        try committer.record(pipeline: "a", position: 1)
        #expect(throws: SIEMError.self) { try committer.flush() }
        #expect(throws: SIEMError.self) { try committer.record(pipeline: "b", position: 2) }
    }
}
