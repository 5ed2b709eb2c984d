import Foundation
import SIEMCore
import Testing

@Suite struct RecordWriterTests {
    func text(_ body: (inout RecordWriter) -> Void) -> String {
        var writer = RecordWriter()
        body(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func escapesQuoteBackslashControlsAndDelButNotSlashOrUnicode() {
        let data: String = "a\"b\\c/d\n\t\u{01}\u{1F}\u{7F}é😀"  // a String: literals take the constant overload
        let out = text { $0.string(data) }
        #expect(out == #""a\"b\\c/d\u000a\u0009\u0001\u001f\u007fé😀""#)
    }

    @Test func compactObjectsKeepWriteOrderAndOmitEmptyOptionals() {
        let out = text { w in
            w.beginObject()
            w.field("z", "last-written-first")
            w.field("empty", "")
            w.field("missing", nil as String?)
            w.field("n", 7 as Int64?)
            w.key("arr")
            w.beginArray()
            w.int(1)
            w.string("two")
            w.beginObject()
            w.endObject()
            w.endArray()
            w.endObject()
        }
        #expect(out == #"{"z":"last-written-first","n":7,"arr":[1,"two",{}]}"#)
    }

    @Test func integersAtTheEdgesOf64Bits() {
        let out = text { w in
            w.beginArray()
            for v: Int64 in [0, -1, 9, 10, Int64.max, Int64.min] { w.int(v) }
            w.intString(1_234_567_890_123)
            w.endArray()
        }
        #expect(out == #"[0,-1,9,10,9223372036854775807,-9223372036854775808,"1234567890123"]"#)
    }

    @Test func recordsAreSeparatedByOneNewlineAndCommaStateResets() {
        var writer = RecordWriter()
        writer.beginObject()
        writer.endObject()
        writer.endRecord()
        writer.beginObject()
        writer.endObject()
        writer.endRecord()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "{}\n{}\n")
    }

    @Test func jsonTextStringEmbedsCompactJSONAsOneString() throws {
        let extra = try JSONParser.parse(#"{ "a" : [1, "x\"y"] }"#)
        let out = text { $0.jsonTextString(JSONText(extra)) }
        #expect(out == #""{\"a\":[1,\"x\\\"y\"]}""#)
        let decoded = try JSONSerialization.jsonObject(with: Data(out.utf8), options: .fragmentsAllowed) as? String
        #expect(decoded == #"{"a":[1,"x\"y"]}"#)
    }

    @Test func everyEscapedStringRoundTripsThroughAStrictParser() throws {
        var scalars = (0..<0x80).compactMap { Unicode.Scalar($0) }
        scalars += ["é", "€", "😀", "\u{2028}"]
        for scalar in scalars {
            let original = "<\(Character(scalar))>"
            let out = text { $0.string(original) }
            let parsed = try JSONSerialization.jsonObject(with: Data(out.utf8), options: .fragmentsAllowed) as? String
            #expect(parsed == original, "U+\(String(scalar.value, radix: 16))")
            // Arena text takes the copy-as-is path when its scan found nothing to escape.
            let text = UTF8Text(original)
            #expect(text.needsNoJSONEscaping == (scalar.value >= 0x20 && !"\"\\\u{7F}".unicodeScalars.contains(scalar)))
            #expect(self.text { $0.string(text) } == out)
        }
    }
}
