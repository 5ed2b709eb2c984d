import SIEMCore
import Testing

@Suite struct JSONParserTests {
    @Test func keepsKeyOrderAndNumberTextExactly() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":123456789012345678901234567890,"m":-0.5e-3,"t":true,"n":null}"#)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["z", "a", "m", "t", "n"])
        #expect(value["a"] == .number("123456789012345678901234567890"))
        #expect(value.jsonText == #"{"z":1,"a":123456789012345678901234567890,"m":-0.5e-3,"t":true,"n":null}"#)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x""#)
        #expect(value == .string("a\"\\/\u{08}\u{0C}\n\r\té😀\u{FFFD}x"))
    }

    @Test func duplicateNamesKeepTheLastValueAtTheFirstPosition() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.jsonText == #"{"a":3,"b":2}"#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "1e", "tru", "\"\u{01}\"", "{\"a\" 1}", "[1] x", "'a'", "NaN",
        "\"\\x\"",
    ])
    func rejectsWhatRFC8259Rejects(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func boundsNestingDepth() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONParser.parse(fine)
    }
}
