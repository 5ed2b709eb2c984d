import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

/// Following a file like `tail -F`: every line exactly once, in order, across rotation by rename
/// and by copytruncate, rotation while stopped, truncation, and files that are gone.
@Suite struct JSONLinesRotationTests {
    /// Reads rounds from `checkpoint` as a run does, moving it to the last position read.
    func read(_ source: JSONLinesSource, after checkpoint: inout SourcePosition) throws -> Round {
        let round = try source.round(after: checkpoint)
        if let last = round.positions.last { checkpoint = SourcePosition(id: last) }
        return round
    }

    @Test func renamedAwayTheOldFileIsFinishedBeforeTheNewOneStarts() throws {
        let file = try FollowedFile()
        try file.append(FollowedFile.lines(1...5))
        let source = try file.source()
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs == Array(1...5))
        try file.append(FollowedFile.lines(6...7))
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(8...10))
        let round = try read(source, after: &checkpoint)
        #expect(round.seqs == Array(6...10))
        let rotatedSize = Int64(FollowedFile.lines(1...7).utf8.count)
        #expect(round.ids[2] == rotatedSize + Int64(FollowedFile.lines(8...8).utf8.count), "ids go on across files")
        #expect(round.ids == round.ids.sorted())
    }

    @Test func copytruncateIsFollowedThroughTheCopy() throws {
        let file = try FollowedFile()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...5))
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs == Array(1...5))
        try file.append(FollowedFile.lines(6...7))
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(8...9))
        #expect(try read(source, after: &checkpoint).seqs == Array(6...9))
        #expect(warnings.all.isEmpty, "copytruncate is rotation, not loss")
    }

    /// Two rotations while the exporter was stopped: the file it was reading is found by its
    /// identity under its new name, the one rotated in between next, then the new file.
    @Test(arguments: [true, false])
    func filesRotatedWhileStoppedAreFoundAndReadInOrder(agedApart: Bool) throws {
        let file = try FollowedFile()
        let state = InMemorySourceState()
        try file.append(FollowedFile.lines(1...3))
        var checkpoint = SourcePosition.start
        #expect(try read(try file.source(state: state), after: &checkpoint).seqs == [1, 2, 3])
        try file.append(FollowedFile.lines(4...5))
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(6...7))
        try FileManager.default.moveItem(atPath: file.at("app.log.1"), toPath: file.at("app.log.2"))
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(8...9))
        try file.append("{\"older\":\"not ours\"}\n", to: "app.log.3")
        try file.age("app.log.3", seconds: 86_400)
        if agedApart {
            try file.age("app.log.2", seconds: 7_200)
            try file.age("app.log.1", seconds: 3_600)
        }
        let restarted = try file.source(state: state)
        #expect(try read(restarted, after: &checkpoint).seqs == Array(4...9))
    }

    @Test func copytruncateWhileStoppedIsFollowedThroughTheCopies() throws {
        let file = try FollowedFile()
        let state = InMemorySourceState()
        try file.append(FollowedFile.lines(1...3))
        var checkpoint = SourcePosition.start
        #expect(try read(try file.source(state: state), after: &checkpoint).seqs == [1, 2, 3])
        try file.append(FollowedFile.lines(4...5))
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(6...7))
        try FileManager.default.moveItem(atPath: file.at("app.log.1"), toPath: file.at("app.log.2"))
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(8...8))
        #expect(try read(try file.source(state: state), after: &checkpoint).seqs == Array(4...8))
    }

    /// The first bytes of a file that was empty at the last look say nothing: a copy made since,
    /// whose bytes differ from the file's, says it was cut and written anew.
    @Test func aCopytruncateOfAFileThatWasEmptyAtTheLastLookIsFollowedThroughTheCopy() throws {
        let file = try FollowedFile()
        try file.append("")
        let source = try file.source()
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs.isEmpty)
        try file.append(FollowedFile.lines(1...40))
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(41...42))
        #expect(try read(source, after: &checkpoint).seqs == Array(1...42))
    }

    /// The same, when the file cut and written anew was then renamed away too before the next
    /// look: its inode is found, but the copy holds what came first.
    @Test func aCopytruncateThenARenameOfAFileEmptyAtTheLastLookAreFollowedInOrder() throws {
        let file = try FollowedFile()
        try file.append("")
        let source = try file.source()
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs.isEmpty)
        try file.append(FollowedFile.lines(1...40))
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(41...42))
        try FileManager.default.moveItem(atPath: file.at("app.log.1"), toPath: file.at("app.log.2"))
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(43...43))
        #expect(try read(source, after: &checkpoint).seqs == Array(1...43))
    }

    @Test func aTruncatedFileIsReadAgainFromItsStartWithAWarning() throws {
        let file = try FollowedFile()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...5))
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        let first = try read(source, after: &checkpoint)
        try file.truncateToZero()
        try file.append(FollowedFile.lines(6...7))
        let second = try read(source, after: &checkpoint)
        #expect(second.seqs == [6, 7])
        #expect(second.ids.first! > first.ids.last!, "ids only grow")
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.contains("was truncated") == true)
    }

    @Test func aTruncationWhileStoppedIsFoundByTheFirstBytesEvenWhenTheFileGrewBack() throws {
        let file = try FollowedFile()
        let state = InMemorySourceState()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...2))
        var checkpoint = SourcePosition.start
        _ = try read(try file.source(state: state), after: &checkpoint)
        try file.truncateToZero()
        try file.append(FollowedFile.lines(10...20, pad: 3))
        let round = try read(try file.source(state: state, warnings: warnings), after: &checkpoint)
        #expect(round.seqs == Array(10...20))
        #expect(warnings.all.first?.contains("was truncated") == true)
    }

    /// Bytes the exporter had seen but not delivered when the file was cut and its copy went
    /// where no rotated name points: said, with how many, never skipped silently.
    @Test func bytesThatCannotBeFoundAnyMoreAreReportedWithTheirCount() throws {
        let file = try FollowedFile()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...3))
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        _ = try read(source, after: &checkpoint)
        try file.append(FollowedFile.lines(4...5))
        _ = try source.endPosition()  // a round that began, and failed before reading them
        try file.copyTruncate(to: "elsewhere.log")
        try file.append(FollowedFile.lines(6...6))
        #expect(try read(source, after: &checkpoint).seqs == [6])
        let lost = FollowedFile.lines(4...5).utf8.count
        #expect(warnings.all.contains { $0.contains("was truncated") })
        #expect(warnings.all.contains { $0.contains("its \(lost) unread byte(s) are lost") }, "\(warnings.all)")
    }

    @Test func aFileGoneWhileStoppedIsReportedAndTheNewOneRead() throws {
        let file = try FollowedFile()
        let state = InMemorySourceState()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...3))
        var checkpoint = SourcePosition.start
        _ = try read(try file.source(state: state), after: &checkpoint)
        try file.append(FollowedFile.lines(4...4))
        try file.rotateByRename(to: "app.log.1")
        try file.remove("app.log.1")
        try file.append(FollowedFile.lines(5...5))
        let round = try read(try file.source(state: state, warnings: warnings), after: &checkpoint)
        #expect(round.seqs == [5])
        #expect(warnings.all.contains { $0.contains("was replaced") && $0.contains("may be lost") }, "\(warnings.all)")
    }

    /// A writer that has not reopened yet still writes to the renamed file: with `rotate_wait`
    /// it is read on until quiet, and the new file waits.
    @Test func aRenamedFileIsFinishedOnlyOnceItHasBeenQuietForRotateWait() throws {
        let file = try FollowedFile()
        try file.append(FollowedFile.lines(1...2))
        let source = try file.source(rotateWaitMS: 3_600_000)
        var checkpoint = SourcePosition.start
        _ = try read(source, after: &checkpoint)
        try file.append(FollowedFile.lines(3...3))
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(4...4))
        #expect(try read(source, after: &checkpoint).seqs == [3])
        try file.append(FollowedFile.lines(5...5), to: "app.log.1")
        #expect(try read(source, after: &checkpoint).seqs == [5])
        try file.age("app.log.1", seconds: 7_200)
        #expect(try read(source, after: &checkpoint).seqs == [4])
    }

    @Test func writesToAFinishedFileAreReported() throws {
        let file = try FollowedFile()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...1))
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        _ = try read(source, after: &checkpoint)
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(2...2))
        #expect(try read(source, after: &checkpoint).seqs == [2])
        try file.append(FollowedFile.lines(99...99), to: "app.log.1")
        _ = try read(source, after: &checkpoint)
        let late = FollowedFile.lines(99...99).utf8.count
        #expect(
            warnings.all == [
                "\(file.at("app.log.1")): \(late) byte(s) were written after offset \(FollowedFile.lines(1...1).utf8.count), when the file had been finished for the next one, and are not exported; the writer kept the rotated file open longer than rotate_wait_ms (0)"
            ])
    }

    @Test func theLastLineOfAFinishedFileIsALineEvenWithoutItsNewline() throws {
        let file = try FollowedFile()
        try file.append(FollowedFile.lines(1...1) + "{\"seq\":2}")
        let source = try file.source()
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs == [1])
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(3...3) + "{\"seq\":")
        try file.rotateByRename(to: "app.log-20240502")
        try file.append(FollowedFile.lines(4...4))
        let round = try read(source, after: &checkpoint)
        #expect(round.seqs == [2, 3, 4])
        #expect(round.unreadable.map(\.raw) == [Array("{\"seq\":".utf8)], "a torn tail is set aside, never dropped")
    }

    @Test func compressedAndForeignNamesAreNeverTakenForRotatedFiles() throws {
        let file = try FollowedFile()
        let state = InMemorySourceState()
        try file.append(FollowedFile.lines(1...1))
        var checkpoint = SourcePosition.start
        _ = try read(try file.source(state: state), after: &checkpoint)
        try file.rotateByRename(to: "app.log.1")
        try file.append([0x1F, 0x8B, 0x08, 0x00] + Array("{\"seq\":\"gzip\"}\n".utf8), to: "app.log.2")
        try file.append(FollowedFile.lines(50...50), to: "app.log.3.gz")
        try file.append(FollowedFile.lines(60...60), to: "other.log")
        try file.append(FollowedFile.lines(2...2))
        #expect(try read(try file.source(state: state), after: &checkpoint).seqs == [2])
    }

    /// The file at the path was taken as the next one while still empty (nothing to tell it by),
    /// then copied away and cut, renamed away, and the next file copied away too, all before the
    /// next look: its lines are read from its own copy (the oldest one made since), not from the
    /// newest copy beside it, and then what it holds now, then the next file's.
    @Test func aFileTakenEmptyIsReadFromItsOwnCopyAfterRotationsInBetween() throws {
        let file = try FollowedFile()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...2))
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs == [1, 2])
        try file.rotateByRename(to: "app.log.1")
        #expect(try read(source, after: &checkpoint).seqs == [])
        func shift(from newest: Int) throws {
            for k in stride(from: newest, through: 1, by: -1) {
                try FileManager.default.moveItem(atPath: file.at("app.log.\(k)"), toPath: file.at("app.log.\(k + 1)"))
            }
        }
        try file.append(FollowedFile.lines(3...4))
        try shift(from: 1)
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(5...6))
        try shift(from: 2)
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(7...8))
        try shift(from: 3)
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(9...10))
        var seqs: [Int] = []
        for _ in 0..<3 { seqs += try read(source, after: &checkpoint).seqs }
        #expect(seqs == Array(3...10))
        #expect(warnings.all.isEmpty, "rotation is no loss: \(warnings.all)")
    }

    /// The file at the path is opened for a look, and before the names beside it are listed it is
    /// renamed away and the next file copied away (`copytruncate`): it is read before that copy,
    /// not after it, as it was written before.
    @Test func aFileRenamedAwayWhileLookedAtComesBeforeTheFilesRotatedAfterIt() throws {
        let file = try FollowedFile()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...2))
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs == [1, 2])
        try file.append(FollowedFile.lines(3...4))
        try file.copyTruncate(to: "app.log.1")
        try file.append(FollowedFile.lines(5...6))
        var rotations = 0
        source.chain!.rotationPoint = { point in
            guard point == .afterOpeningThePath, rotations == 0 else { return }
            rotations += 1
            try! FileManager.default.moveItem(atPath: file.at("app.log.1"), toPath: file.at("app.log.2"))
            try! file.rotateByRename(to: "app.log.1")
            try! file.append(FollowedFile.lines(7...8))
            try! FileManager.default.moveItem(atPath: file.at("app.log.2"), toPath: file.at("app.log.3"))
            try! FileManager.default.moveItem(atPath: file.at("app.log.1"), toPath: file.at("app.log.2"))
            try! file.copyTruncate(to: "app.log.1")
            try! file.append(FollowedFile.lines(9...10))
        }
        var seqs: [Int] = []
        for _ in 0..<3 { seqs += try read(source, after: &checkpoint).seqs }
        #expect(rotations == 1)
        #expect(seqs == Array(3...10))
        #expect(warnings.all.isEmpty, "rotation is no loss: \(warnings.all)")
    }

    /// The file at the path is taken as the next one, and `copytruncate` copies it away and cuts
    /// it between the listing of the names beside it and the taking of its first bytes: the
    /// lines it held are read from the copy, then those written after the cut, none lost.
    @Test func copytruncateWhileTheNextFileIsTakenLosesNothing() throws {
        let file = try FollowedFile()
        let warnings = Warnings()
        try file.append(FollowedFile.lines(1...5))
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        #expect(try read(source, after: &checkpoint).seqs == Array(1...5))
        try file.rotateByRename(to: "app.log.1")
        try file.append(FollowedFile.lines(6...8))
        var rotations = 0
        source.chain!.rotationPoint = { point in
            guard point == .afterChoosingTheNext, rotations == 0 else { return }
            rotations += 1
            try! FileManager.default.moveItem(atPath: file.at("app.log.1"), toPath: file.at("app.log.2"))
            try! file.copyTruncate(to: "app.log.1")
            try! file.append(FollowedFile.lines(9...10))
        }
        var seqs: [Int] = []
        for _ in 0..<3 { seqs += try read(source, after: &checkpoint).seqs }
        #expect(rotations == 1)
        #expect(seqs == Array(6...10))
        #expect(warnings.all.isEmpty, "rotation is no loss: \(warnings.all)")
    }

    /// A writer on another thread appends each line in two writes (a torn line between them)
    /// and rotates every few hundred lines, by rename and by copytruncate in turn (keeping every
    /// rotated file, as `rotate N` does), while rounds read: every line exactly once, in order,
    /// with growing ids.
    @Test func everyLineExactlyOnceWhileAWriterAppendsAndRotates() throws {
        let file = try FollowedFile()
        let total = 3_000
        let done = DispatchSemaphore(value: 0)
        try file.append("")
        let writer = Thread {
            var rotations = 0
            for seq in 1...total {
                let line = Array("{\"seq\":\(seq),\"note\":\"line \(seq) of \(total)\"}\n".utf8)
                try! file.append(Array(line[..<(line.count / 2)]))
                try! file.append(Array(line[(line.count / 2)...]))
                guard seq % 400 == 0 else { continue }
                for k in stride(from: rotations, through: 1, by: -1) {
                    try! FileManager.default.moveItem(
                        atPath: file.at("app.log.\(k)"), toPath: file.at("app.log.\(k + 1)"))
                }
                rotations += 1
                if rotations % 2 == 0 {
                    try! file.rotateByRename(to: "app.log.1")
                } else {
                    try! file.copyTruncate(to: "app.log.1")
                }
            }
            done.signal()
        }
        let warnings = Warnings()
        let source = try file.source(warnings: warnings)
        var checkpoint = SourcePosition.start
        var seqs: [Int] = []
        var ids: [Int64] = []
        #expect(try source.endPosition() == nil, "the first look, at the empty file, before the writer starts")
        writer.start()
        var writing = true
        var roundsAfter = 0
        while roundsAfter < 3 {
            if writing, done.wait(timeout: .now()) == .success { writing = false }
            if !writing { roundsAfter += 1 }
            let round = try read(source, after: &checkpoint)
            #expect(round.unreadable.isEmpty)
            seqs += round.seqs
            ids += round.ids
            usleep(500)
        }
        let missing = Set(1...total).subtracting(seqs).sorted()
        let repeated = Dictionary(grouping: seqs, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(
            missing.isEmpty && repeated.isEmpty,
            "missing \(missing.count) from \(missing.prefix(5)), repeated \(repeated.count) from \(repeated.prefix(5)); read \(seqs.count), first \(seqs.prefix(5)), last \(seqs.suffix(5))"
        )
        let disorder = zip(seqs, seqs.dropFirst()).enumerated().first { $0.element.0 > $0.element.1 }
        #expect(disorder == nil, "out of order at \(disorder.map { "\($0.offset): \($0.element)" } ?? "")")
        #expect(warnings.all.isEmpty, "rotation is no loss: \(warnings.all)")
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
    }
}
