import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

/// Reading one followed file: ids, torn lines, restarts, the line forms a writer may leave.
@Suite struct JSONLinesSourceTests {
    @Test func eachLineIsARowWhoseIdIsTheOffsetPastItsNewline() throws {
        let file = try FollowedFile()
        try file.append("{\"seq\":1}\n{\"seq\":22}\n{\"seq\":333}\n")
        let round = try file.source().round()
        #expect(round.seqs == [1, 22, 333])
        #expect(round.ids == [10, 21, 33])
        #expect(round.end == SourcePosition(id: 33))
    }

    @Test func aTornLastLineIsWaitedForAndReadWholeOnceComplete() throws {
        let file = try FollowedFile()
        try file.append("{\"seq\":1}\n{\"seq\":2")
        let source = try file.source()
        let first = try source.round()
        #expect(first.seqs == [1])
        #expect(first.end == SourcePosition(id: 10), "the checkpoint cannot pass the torn line")
        #expect(try source.round(after: 10).ids.isEmpty, "still torn: nothing, not half a line")
        try file.append("2}\n")
        let second = try source.round(after: 10)
        #expect(second.seqs == [22])
        #expect(second.ids == [21])
    }

    /// A restart from any checkpoint (a fresh source on the same state) reads exactly the lines
    /// after it, whatever forms the lines take.
    @Test func aRestartAtEveryCheckpointReadsEveryLaterLineExactlyOnce() throws {
        let file = try FollowedFile()
        try file.append([0xEF, 0xBB, 0xBF] + Array("{\"seq\":1}\r\n\n   \n{\"seq\":2}\n\t{\"seq\":3} \r\n".utf8))
        try file.append(FollowedFile.lines(4...20))
        let state = InMemorySourceState()
        let all = try file.source(state: state).round()
        #expect(all.seqs == Array(1...20))
        for (index, checkpoint) in all.ids.enumerated() {
            let restarted = try file.source(state: state).round(after: SourcePosition(id: checkpoint))
            #expect(restarted.seqs == Array(all.seqs[(index + 1)...]), "after \(checkpoint)")
            #expect(restarted.ids == Array(all.ids[(index + 1)...]))
        }
    }

    @Test func blankLinesAtTheEndAreNotAnEndToReadTo() throws {
        let file = try FollowedFile()
        try file.append("{\"seq\":1}\n\n  \n")
        let source = try file.source()
        #expect(try source.endPosition() == SourcePosition(id: 10))
        try file.append("{\"seq\":2}\n")
        #expect(try source.round(after: 10).ids == [24])
    }

    @Test func startAtEndSkipsWhatTheFileHeldAtTheFirstLookOnly() throws {
        let file = try FollowedFile()
        try file.append(FollowedFile.lines(1...5))
        let state = InMemorySourceState()
        let source = try file.source(state: state, startAt: .end)
        #expect(try source.endPosition() == nil, "nothing to read yet")
        try file.append(FollowedFile.lines(6...7))
        #expect(try source.round().seqs == [6, 7])
        let restarted = try file.source(state: state, startAt: .end)
        #expect(try restarted.round().seqs == [6, 7], "the skip point is kept, not taken again")
    }

    @Test func invalidUTF8IsRepairedNotRefused() throws {
        let file = try FollowedFile()
        try file.append(Array("{\"seq\":1,\"v\":\"a".utf8) + [0xFF, 0xC3] + Array("b\"}\n".utf8))
        let round = try file.source().round(columns: ["seq", "v"])
        #expect(round.rows == [["1", "a\u{FFFD}\u{FFFD}b"]])
    }

    @Test func everyLineThatIsNotAJSONObjectIsUnreadableWithItsReasonAndPlace() throws {
        let file = try FollowedFile()
        let hostile = try String(contentsOf: Self.fixture("hostile.jsonl"), encoding: .utf8)
        try file.append(hostile)
        let round = try file.source().round(columns: ["ok"])
        #expect(round.rows == [["this one is fine"]])
        #expect(round.unreadable.count == 11)
        let lines = hostile.split(separator: "\n").map(String.init)
        for (row, line) in zip(round.unreadable, lines) {
            #expect(row.raw == Array(line.utf8))
            #expect(row.byteCount == line.utf8.count)
            #expect(row.location.hasPrefix(file.path + ", bytes "))
        }
        let reasons = round.unreadable.map(\.reason)
        #expect(reasons[0] == "the line is not a JSON object (it starts with '[')")
        #expect(reasons[2] == "the line is not a JSON object (it starts with '4')")
        #expect(reasons[3].hasPrefix("not valid JSON: unterminated string at byte"))
        #expect(reasons[4].hasPrefix("not valid JSON: text after the object"))
        #expect(reasons[7].hasPrefix("not valid JSON: control character in a string"))
        #expect(reasons[10].hasPrefix("not valid JSON: nested deeper than 512"))
        let positions = round.positions
        #expect(positions == positions.sorted() && Set(positions).count == 12, "one position each, in file order")
    }

    @Test func aLineOverTheLimitIsUnreadableWithItsFirstBytesAndMemoryStaysBounded() throws {
        let file = try FollowedFile()
        let long = "{\"seq\":2,\"pad\":\"" + String(repeating: "y", count: 100_000) + "\"}\n"
        try file.append(FollowedFile.lines(1...1) + long + FollowedFile.lines(3...3))
        let round = try file.source(maxLineBytes: 1_000).round()
        #expect(round.seqs == [1, 3])
        #expect(round.unreadable.count == 1)
        let row = try #require(round.unreadable.first)
        #expect(row.byteCount == long.utf8.count - 1)
        #expect(row.raw.count == UnreadableRow.sampleLimit)
        #expect(row.raw == Array(long.utf8.prefix(UnreadableRow.sampleLimit)))
        #expect(row.reason == "the line is \(long.utf8.count - 1) bytes long, over max_line_bytes (1000)")
        #expect(row.position.id == Int64(FollowedFile.lines(1...1).utf8.count + long.utf8.count))
    }

    @Test func aTornLineOverTheLimitIsWaitedForToo() throws {
        let file = try FollowedFile()
        try file.append("{\"seq\":1}\n{\"pad\":\"" + String(repeating: "z", count: 5_000))
        let source = try file.source(maxLineBytes: 100)
        let first = try source.round()
        #expect(first.seqs == [1])
        #expect(first.unreadable.isEmpty, "not set aside before it is whole")
        try file.append("\"}\n{\"seq\":3}\n")
        let second = try source.round(after: 10)
        #expect(second.unreadable.count == 1)
        #expect(second.seqs == [3])
    }

    @Test func aPathThatIsNotOneIsRefusedNamingTheMappersKey() throws {
        let file = try FollowedFile()
        try file.append(FollowedFile.lines(1...1))
        let source = try file.source()
        _ = try source.endPosition()
        #expect {
            _ = try source.open(SourceQuery(), columns: [SourceColumn("user..name", configPath: "fields.actor")])
        } throws: { error in
            "\(error)".contains("'user..name' is not a JSON path (character 6: a name is empty)")
                && "\(error)".contains("(named by the mapper's fields.actor)")
        }
    }

    @Test func aTimestampOrderedReadIsRefused() throws {
        let file = try FollowedFile()
        try file.append(FollowedFile.lines(1...1))
        #expect(throws: SIEMError.self) {
            _ = try file.source().open(SourceQuery(order: .timestamp), columns: [SourceColumn("seq")])
        }
    }

    @Test func aFileThatWasNeverThereIsAnErrorNotAnEmptySource() throws {
        let file = try FollowedFile()
        #expect(
            throws: SIEMError.source(
                path: file.path, message: "no such file (a followed file must exist at the first read)")
        ) {
            _ = try file.source().endPosition()
        }
        #expect(throws: SIEMError.self) {
            _ = try JSONLinesSource(path: file.at("missing-dir/app.log"))
        }
    }

    static func fixture(_ name: String) -> URL {
        RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/jsonl/\(name)")
    }
}
