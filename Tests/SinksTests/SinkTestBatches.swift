import SIEMCore

/// Batches of small JSON records, as the runner hands them to sinks.
enum SinkTestBatches {
    /// JSON documents framed as `framing` (what the JSON-array sinks take, by default).
    static func batch(_ ids: ClosedRange<Int64>, padding: Int = 0, framing: Framing = .jsonArray) -> EncodedBatch {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for id in ids {
            bytes += Array(#"{"id":\#(id),"pad":"\#(String(repeating: "x", count: padding))"}"#.utf8) + [0x0A]
            ends.append(bytes.count)
        }
        return EncodedBatch(bytes: bytes, recordEnds: ends, eventIDs: Array(ids), framing: framing)
    }

    /// HEC envelopes `{"event":{…},"id":N}`; ids in `blank` get `"event":""`, which HEC refuses.
    static func hecBatch(_ ids: ClosedRange<Int64>, blank: Set<Int64> = [], padding: Int = 0) -> EncodedBatch {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for id in ids {
            let event =
                blank.contains(id) ? #""""# : #"{"n":\#(id),"pad":"\#(String(repeating: "x", count: padding))"}"#
            bytes += Array(#"{"time":\#(1_700_000_000 + id),"event":\#(event),"id":\#(id)}"#.utf8) + [0x0A]
            ends.append(bytes.count)
        }
        return EncodedBatch(bytes: bytes, recordEnds: ends, eventIDs: Array(ids), framing: .concatenated)
    }
}
