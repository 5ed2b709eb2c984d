import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

/// `path: "-"`: a stream read once, to its end, whose ids go on from the last stream's.
@Suite struct JSONLinesStandardInputTests {
    /// A pipe standing in for standard input: the source reads one end, the test writes the other.
    final class Pipe: @unchecked Sendable {
        let read: Int32
        let write: Int32
        init() throws {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
            read = ends[0]
            write = ends[1]
        }
        func send(_ text: String) {
            _ = Array(text.utf8).withUnsafeBytes { Foundation.write(write, $0.baseAddress, $0.count) }
        }
        func closeWriting() { close(write) }
        deinit { close(read) }
    }

    func source(_ pipe: Pipe, state: InMemorySourceState) throws -> JSONLinesSource {
        let source = try JSONLinesSource(path: "-", standardInput: pipe.read)
        try source.attach(state: state)
        return source
    }

    @Test func eachStreamIsReadWholeOnceAndItsIdsStartWhereTheLastOneEnded() throws {
        let state = InMemorySourceState()
        let first = try Pipe()
        first.send(FollowedFile.lines(1...3) + "{\"seq\":4}")
        first.closeWriting()
        let one = try source(first, state: state)
        #expect(try one.endPosition() == nil)
        let read = try one.round(after: .start, batch: 2)
        #expect(read.seqs == [1, 2, 3, 4], "the stream's end ends its last line")
        let size = Int64(FollowedFile.lines(1...3).utf8.count + 9)
        #expect(read.ids.last == size)
        #expect(try one.endPosition() == SourcePosition(id: size))
        #expect(try one.round(after: SourcePosition(id: size)).ids.isEmpty, "a stream is read once")

        let second = try Pipe()
        second.send(FollowedFile.lines(5...5))
        second.closeWriting()
        let two = try source(second, state: state)
        #expect(try two.endPosition() == SourcePosition(id: size), "no checkpoint of the last stream is past it")
        let next = try two.round(after: SourcePosition(id: 2), batch: 2)
        #expect(next.seqs == [5], "read whole whatever the checkpoint: a stream has no position to resume")
        #expect(next.ids == [size + Int64(FollowedFile.lines(5...5).utf8.count)])
    }

    /// A writer that pauses mid-stream: the lines so far are handed on in a batch of their own
    /// instead of waiting for a full batch or the end.
    @Test func aPausingWritersLinesAreHandedOnWithoutWaitingForAFullBatch() throws {
        let pipe = try Pipe()
        let handedOn = DispatchSemaphore(value: 0)
        let writer = Thread {
            pipe.send(FollowedFile.lines(1...2))
            _ = handedOn.wait(timeout: .now() + 60)
            pipe.send(FollowedFile.lines(3...3))
            pipe.closeWriting()
        }
        let source = try source(pipe, state: InMemorySourceState())
        _ = try source.endPosition()
        let reader = try source.open(SourceQuery(), columns: [SourceColumn("seq")])
        writer.start()
        var rows = RowBatch(columns: reader.columns)
        var batches: [[Int64]] = []
        while true {
            try reader.next(into: &rows, max: 100)
            handedOn.signal()
            if rows.isEmpty { break }
            batches.append(rows.ids)
        }
        #expect(batches.map(\.count) == [2, 1])
    }
}
