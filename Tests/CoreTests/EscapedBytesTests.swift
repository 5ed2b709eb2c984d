import SIEMCore
import SIEMTestSupport
import Testing

@Suite struct EscapedBytesTests {
    static func escape(_ byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "="): return "\\="
        case 0x0A: return "\\n"
        case 0x00: return "<NUL>"
        default: return nil
        }
    }

    /// The word-at-a-time path writes exactly what the byte-by-byte one does, wherever the
    /// escaped bytes fall (inside words, at their edges, in the tail) and next to non-ASCII.
    @Test func writesWhatTheByteByByteEscapeWrites() {
        let escaped = EscapedBytes(UInt8(ascii: "\\"), UInt8(ascii: "="), 0x0A, 0x00)
        let alphabet: [UInt8] = [
            0x41, 0x7A, 0x20, 0x5C, 0x3D, 0x0A, 0x00, 0x0D, 0x7C, 0xC3, 0xA9, 0xFF, 0x80, 0x01, 0x3C,
        ]
        var random = SeededRandom()
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                Int.random(in: 0..<6, using: &random) == 0
                    ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0x41...0x5A, using: &random)
            }
            var fast = RecordWriter()
            var slow = RecordWriter()
            bytes.withUnsafeBufferPointer {
                fast.appendText($0, escaping: escaped, with: Self.escape)
                slow.appendText($0, escape: Self.escape)
            }
            #expect(fast.bytes == slow.bytes, "\(bytes); \(random.note)")
        }
    }

    @Test func containsExactlyItsValues() {
        let escaped = EscapedBytes(0x00, 0x22, 0x5C, 0x7F, 0x80, 0xFF)
        for byte in UInt8.min...UInt8.max {
            #expect(escaped.contains(byte) == [0x00, 0x22, 0x5C, 0x7F, 0x80, 0xFF].contains(byte), "\(byte)")
        }
    }

    @Test func oneToSixValues() {
        var writer = RecordWriter()
        let text = Array("a]b\"c\\d\ne\rf".utf8)
        text.withUnsafeBufferPointer {
            writer.appendText($0, escaping: EscapedBytes(UInt8(ascii: "]"))) { $0 == UInt8(ascii: "]") ? "_" : nil }
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "a_b\"c\\d\ne\rf")
    }
}
