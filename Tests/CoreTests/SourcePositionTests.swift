import SIEMCore
import Testing

@Suite struct SourcePositionTests {
    /// The epoch orders first: a row of a later transaction with a lower id comes after.
    @Test func ordersByEpochThenId() {
        let positions: [SourcePosition] = [
            SourcePosition(epoch: 7, id: 104), SourcePosition(epoch: 5, id: 105), 3, SourcePosition(epoch: 5, id: 2),
        ]
        #expect(
            positions.sorted() == [
                3, SourcePosition(epoch: 5, id: 2), SourcePosition(epoch: 5, id: 105),
                SourcePosition(epoch: 7, id: 104),
            ])
        #expect(SourcePosition.start < 1)
        #expect(SourcePosition(epoch: 1, id: 0) > SourcePosition(id: .max))
    }

    @Test func describesItselfAsOperatorsReadIt() {
        #expect(SourcePosition(id: 1_234).description == "id 1234")
        #expect(SourcePosition(epoch: 77, id: 1_234).description == "epoch 77, id 1234")
    }

    /// Rows without an epoch keep none; one row with an epoch gives every earlier row epoch 0.
    @Test func batchesCarryEpochsOnlyWhenASourceGivesThem() {
        var batch = RowBatch(columns: ["a"])
        batch.beginRow(id: 1)
        batch.append(.null)
        #expect(batch.epochs.isEmpty && batch.position(0) == 1)
        batch.beginRow(id: 2, epoch: 9)
        batch.append(.null)
        batch.beginRow(id: 3)
        batch.append(.null)
        #expect((0..<3).map(batch.position) == [1, SourcePosition(epoch: 9, id: 2), SourcePosition(epoch: 0, id: 3)])
        batch.removeAll()
        batch.beginRow(id: 4)
        batch.append(.null)
        #expect(batch.epochs.isEmpty)
    }
}
