import SIEMCore

/// Line-framed batches of small JSON records, as the runner hands them to sinks.
enum SinkTestBatches {
    static func batch(_ ids: ClosedRange<Int64>, padding: Int = 0) -> EncodedBatch {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for id in ids {
            bytes += Array(#"{"id":\#(id),"pad":"\#(String(repeating: "x", count: padding))"}"#.utf8) + [0x0A]
            ends.append(bytes.count)
        }
        return EncodedBatch(bytes: bytes, recordEnds: ends, eventIDs: Array(ids), framing: .ndjson)
    }
}
