import SIEMCore
import SIEMTestSupport
import Testing

@Suite struct UTF8TextTests {
    /// The validator agrees with the standard library's on random bytes biased toward the
    /// interesting cases (lead bytes, continuation bytes, surrogates, overlongs, cut sequences).
    @Test func validationAgreesWithTheStandardLibrary() {
        var random = SeededRandom()
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x90, 0x8F,
            0xF4, 0xF5, 0xFF,
        ]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...12, using: &random)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random)
                    ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(
                bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) } == expected, "\(bytes); \(random.note)")
        }
    }

    /// The escaping note made while validating matches a byte-by-byte look at the same text,
    /// for words and tails of every length, with the byte that needs escaping anywhere.
    @Test func scanNotesExactlyTheTextsThatNeedJSONEscaping() {
        var random = SeededRandom()
        let needsEscaping: Set<UInt8> = Set(0..<0x20).union([0x22, 0x5C, 0x7F])
        let pieces: [[UInt8]] = [
            [0x41], [0x7A], [0x2F], [0x20], [0x7E], [0xC3, 0xA9], [0xE6, 0x9D, 0x8E], [0x22], [0x5C], [0x00], [0x1F],
            [0x7F], [0x0A],
        ]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...20, using: &random)).flatMap { _ in
                Int.random(in: 0..<8, using: &random) == 0
                    ? pieces.randomElement(using: &random)! : pieces[Int.random(in: 0..<7, using: &random)]
            }
            let plain = !bytes.contains { needsEscaping.contains($0) }
            #expect(
                bytes.withUnsafeBufferPointer { UTF8Validation.scan($0) } == .valid(plain: plain),
                "\(bytes); \(random.note)")
            let arena = TextArena(capacity: 16)
            #expect(
                bytes.withUnsafeBufferPointer { arena.append(utf8: $0) }.needsNoJSONEscaping == plain, "\(random.note)")
            #expect(
                bytes.withUnsafeBufferPointer { arena.appendValidated($0) }.needsNoJSONEscaping == plain,
                "\(random.note)")
        }
        #expect([UInt8]([0x22, 0xFF]).withUnsafeBufferPointer { UTF8Validation.scan($0) } == .invalid)
        // Repaired text is looked at again: U+FFFD needs no escaping, the quote still does.
        let arena = TextArena(capacity: 16)
        #expect([UInt8]([0x41, 0xFF]).withUnsafeBufferPointer { arena.append(utf8: $0) }.needsNoJSONEscaping)
        #expect(![UInt8]([0x22, 0xFF]).withUnsafeBufferPointer { arena.append(utf8: $0) }.needsNoJSONEscaping)
    }

    @Test func validTextOfEveryShapeIsValid() {
        for text in ["", "plain ascii longer than eight bytes", "李雷@example.cn", "😀 and é", "nul\u{0}kept"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { UTF8Validation.isValid($0) })
        }
    }

    @Test func arenaRepairsInvalidUTF8AndKeepsNUL() {
        let arena = TextArena(capacity: 16)
        let broken = [UInt8]([0x41, 0xFF, 0x42]).withUnsafeBufferPointer { arena.append(utf8: $0) }
        let nul = [UInt8]([0x61, 0x00, 0x62]).withUnsafeBufferPointer { arena.append(utf8: $0) }
        // Growing the arena past its first block keeps earlier text intact (ranges, not pointers).
        let long = Array(String(repeating: "x", count: 10_000).utf8).withUnsafeBufferPointer { arena.append(utf8: $0) }
        #expect(broken.string == "A\u{FFFD}B")
        #expect(nul.string == "a\u{0}b")
        #expect(long.count == 10_000)
        #expect(broken == "A\u{FFFD}B")
        #expect(broken != nul)
    }

    @Test func constantsCompareByBytes() {
        let text: UTF8Text = "dns"
        #expect(text.equals("dns"))
        #expect(!text.equals("dn"))
        #expect(!text.equals("dnss"))
        #expect(BeaconAction.name(forKind: "x\(1)") == "beacon-x1")
    }
}
