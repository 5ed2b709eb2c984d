import Testing

@testable import SIEMCore

/// Text a reader puts straight into the batch's arena (`appendText`) reads back as the same
/// `UTF8Text` it would have been, and outlives the batch's next filling.
@Suite struct RowBatchTextTests {
    static func append(_ bytes: [UInt8], to batch: inout RowBatch) {
        bytes.withUnsafeBufferPointer { batch.appendText(utf8: $0) }
    }

    @Test func textInTheBatchArenaReadsAsTextFromAnArenaOfItsOwn() {
        var batch = RowBatch(columns: ["a", "b", "c", "d", "e"])
        let samples: [[UInt8]] = [
            Array("plain".utf8), Array("needs \"escaping\"\n".utf8), [], Array("李雷@example.cn".utf8),
            [0x61, 0xFF, 0x62],  // invalid UTF-8, repaired to U+FFFD
        ]
        batch.beginRow(id: 1)
        for sample in samples { Self.append(sample, to: &batch) }
        for (column, sample) in samples.enumerated() {
            let expected = sample.withUnsafeBufferPointer { TextArena().append(utf8: $0) }
            guard case .text(let text) = batch[0, column] else {
                Issue.record("column \(column) is not text: \(batch[0, column])")
                continue
            }
            #expect(text == expected)
            #expect(text.needsNoJSONEscaping == expected.needsNoJSONEscaping, "column \(column)")
            #expect(batch.text(row: 0, column: column) == expected)
        }
        #expect(batch.text(row: 0, column: 4)?.string == "a\u{FFFD}b")
    }

    @Test func valuesOfEveryKindKeepTheirOrderBesideArenaText() {
        var batch = RowBatch(columns: ["n", "t", "i", "x", "r", "b"])
        batch.beginRow(id: 7)
        batch.append(.null)
        Self.append(Array("in arena".utf8), to: &batch)
        batch.append(.integer(42))
        batch.append(.text(UTF8Text("from elsewhere")))
        batch.append(.real(1.5))
        batch.append(.blob([1, 2]))
        #expect(
            batch.row(0).map(\.value) == [
                .null, .text("in arena"), .integer(42), .text("from elsewhere"), .real(1.5), .blob([1, 2]),
            ])
        #expect(batch.text(row: 0, column: 2)?.string == "42")
        #expect(batch.text(row: 0, column: 0) == nil)
    }

    /// Events keep the texts of the filling they were made from; the next filling writes into a
    /// new arena, so those texts never change under them.
    @Test func textReadFromOneFillingOutlivesTheNext() {
        var batch = RowBatch(columns: ["t"])
        var kept: [UTF8Text] = []
        for filling in 0..<3 {
            batch.removeAll()
            for row in 0..<100 {
                batch.beginRow(id: Int64(filling * 100 + row))
                Self.append(
                    Array("filling \(filling) row \(row) ".utf8) + Array(repeating: 0x78, count: row), to: &batch)
            }
            kept.append(batch.text(row: 99, column: 0)!)
            kept.append(batch.text(row: 0, column: 0)!)
        }
        batch.removeAll()
        #expect(batch.count == 0)
        for filling in 0..<3 {
            #expect(kept[filling * 2].string == "filling \(filling) row 99 " + String(repeating: "x", count: 99))
            #expect(kept[filling * 2 + 1].string == "filling \(filling) row 0 ")
        }
    }
}
