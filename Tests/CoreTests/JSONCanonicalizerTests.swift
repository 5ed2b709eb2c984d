import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

/// The one-pass canonicalizer must agree byte for byte with parse-then-write, which is the
/// definition of canonical form, on everything: fixtures, edge cases and random documents.
@Suite struct JSONCanonicalizerTests {
    static func reference(_ text: String) -> JSONCanonicalizer.Outcome {
        guard let value = try? JSONParser.parse(text) else { return .invalid }
        switch value {
        case .null: return .empty
        case .object(let members): return members.isEmpty ? .empty : .object(JSONText(value))
        default: return .other(JSONText(value))
        }
    }

    @Test(arguments: [
        #"{"b":1,"a":[true,false,null,{"x":"y"}]}"#, #" { "k" : "v" } "#, "{}", "null", "[]", "[1, 2 ,3]", #""s""#, "7",
        "-0.5e-3", #"{"a":1,"a":2,"b":{"c":1,"c":[3]}}"#, #"{"e":"\u00e9\ud83d\ude00\ud800x\n\t\"\\\/"}"#,
        #"{"ctl":"\u0000\u001f\u007f"}"#, "{", "[1,]", "01", #"{"a" 1}"#, "tru", "\"\u{01}\"", "{\"a\":1} x", "",
        #"{"big":123456789012345678901234567890,"f":1.5E+300}"#, "é", #"{"ü":"ß"}"#,
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
        "{" + (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + #","k7":"dup"}"#,
        // Canonical already, canonical but for trailing space, and canonical up to a late difference:
        #"{"a":[1,{"b":"c"}],"d":"e"}"#, #"{"a":[1,{"b":"c"}]}  "#, #"{"a":[1,{"b":"c\/"}]}"#,
        "{\"del\":\"a\u{7F}b\"}", #"{"a":1,"b":{"a":2},"c":"\u0041"}"#,
    ])
    func agreesWithParseThenWrite(_ text: String) {
        #expect(JSONCanonicalizer.canonicalize(text) == Self.reference(text), "\(text.prefix(80))")
    }

    @Test func agreesOnRandomDocuments() {
        var random = SeededRandom()
        func value(_ depth: Int) -> String {
            let choice = depth > 3 ? Int.random(in: 0...3, using: &random) : Int.random(in: 0...5, using: &random)
            switch choice {
            case 0: return ["true", "false", "null"].randomElement(using: &random)!
            case 1: return ["0", "-1", "3.25", "1e9", "-2E-2", "18446744073709551616"].randomElement(using: &random)!
            case 2:
                let pieces = [
                    "a", "é", "\\n", "\\u0041", "\\\"", "😀", "\\ud83d\\ude00", " ", "\\/", "\\ud800", "plain", "x",
                    "\u{7F}",
                ]
                return "\""
                    + (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                    .joined() + "\""
            case 3:
                let padded = Int.random(in: 0...3, using: &random) == 0
                return (padded ? " " : "") + ["1", "\"x\""].randomElement(using: &random)! + (padded ? " " : "")
            case 4:
                return "["
                    + (0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth + 1) }.joined(separator: ",")
                    + "]"
            default:
                let keys = ["a", "b", "c", "a"]  // repeats sometimes
                // Mostly compact, so documents that are canonical already (kept as the input's own
                // bytes) and ones that differ only late are common.
                let colon = Int.random(in: 0...3, using: &random) == 0 ? " : " : ":"
                return "{"
                    + (0..<Int.random(in: 0...3, using: &random)).map { _ in
                        "\"\(keys.randomElement(using: &random)!)\"" + colon + value(depth + 1)
                    }.joined(separator: ",") + "}"
            }
        }
        for _ in 0..<3_000 {
            let text = value(0)
            #expect(JSONCanonicalizer.canonicalize(text) == Self.reference(text), "\(text); \(random.note)")
        }
    }

    /// Text that is canonical already comes back as the very same bytes, not a copy.
    @Test func canonicalTextIsKeptInPlace() throws {
        let arena = TextArena()
        let text = Array(#"{"q":"x.example","n":[1,2]}"#.utf8).withUnsafeBufferPointer { arena.append(utf8: $0) }
        let before = arena.byteCount
        guard case .object(let json) = JSONCanonicalizer.canonicalize(text) else {
            Issue.record("not an object")
            return
        }
        #expect(json.text == text)
        #expect(arena.byteCount == before)
    }
}
