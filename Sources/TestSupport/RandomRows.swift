import SIEMCore

/// Random column values that stress every formatter: text full of what needs escaping (quotes,
/// backslashes, controls, DEL, non-ASCII, astral characters, invalid UTF-8, JSON syntax), huge
/// numbers, blobs, NULLs, and `extra` that is JSON, almost JSON, or not at all. Drive them with a
/// `SeededRandom`, so a failure can be repeated.
public enum RandomRows {
    /// Text from pieces that stress escaping: quotes, backslashes, controls, DEL, non-ASCII,
    /// astral characters, a lone surrogate's UTF-8 (made invalid on purpose) and JSON syntax.
    public static func randomText(_ random: inout some RandomNumberGenerator) -> SQLValue {
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("\"".utf8), Array("\\".utf8), [0x00], [0x01], [0x1F], [0x7F], Array("é".utf8),
            Array("李".utf8), Array("😀".utf8), [0xED, 0xA0, 0x80], [0xFF], Array("{".utf8), Array("}".utf8),
            Array("\n".utf8), Array("\u{2028}".utf8), Array(" ".utf8), Array("1e999".utf8),
        ]
        let bytes = (0..<Int.random(in: 0...12, using: &random)).flatMap { _ in pieces.randomElement(using: &random)! }
        return .text(bytes.withUnsafeBufferPointer { TextArena().append(utf8: $0) })
    }

    public static func randomValue(_ random: inout some RandomNumberGenerator) -> SQLValue {
        switch Int.random(in: 0...9, using: &random) {
        case 0: return .null
        case 1: return .integer(Int64.random(in: .min ... .max, using: &random))
        case 2: return .real(Double.random(in: -1e300...1e300, using: &random))
        case 3:
            return .blob(
                (0..<Int.random(in: 0...4, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        default: return randomText(&random)
        }
    }

    public static func randomExtra(_ random: inout some RandomNumberGenerator) -> SQLValue {
        let samples = [
            #"{"qname":"x.example","qtype":"A"}"#, #"{"a":1,"a":2}"#, #"[1,2]"#, "not json", "", "null", "{}",
            #"{"n":123456789012345678901234567890}"#, #"{"s":"\ud800"}"#, #" { "k" : [ true , null ] } "#,
        ]
        if Bool.random(using: &random) { return randomText(&random) }
        return .text(UTF8Text(samples.randomElement(using: &random)!))
    }
}
