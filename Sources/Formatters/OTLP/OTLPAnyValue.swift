import SIEMCore

/// Canonical JSON (an event's `extra`) rewritten as the members of an OTLP `AnyValue`, in one
/// pass over its bytes: objects as `kvlistValue`, arrays as `arrayValue`, integers that fit 64
/// bits as `intValue` (a decimal string), other numbers as `doubleValue`, strings as
/// `stringValue`, booleans as `boolValue`, `null` as the empty AnyValue. Canonical input has no
/// whitespace and strings already escaped the way we write them, so they are copied as they are.
struct OTLPAnyValue {
    let input: UnsafeBufferPointer<UInt8>
    var index = 0

    static func write(canonical json: UTF8Text, into out: inout RecordWriter) {
        json.withUTF8 { bytes in
            var converter = OTLPAnyValue(input: bytes)
            converter.value(&out)
        }
    }

    /// Writes the members of one AnyValue (without its braces).
    mutating func value(_ out: inout RecordWriter) {
        guard index < input.count else { return }
        switch input[index] {
        case UInt8(ascii: "{"):
            index += 1
            out.appendRaw(#""kvlistValue":{"values":["# as StaticString)
            var first = true
            while index < input.count, input[index] != UInt8(ascii: "}") {
                if input[index] == UInt8(ascii: ",") { index += 1 }
                if !first { out.appendRaw("," as StaticString) }
                first = false
                out.appendRaw(#"{"key":"# as StaticString)
                copyString(&out)
                index += 1  // ':'
                out.appendRaw(#","value":{"# as StaticString)
                value(&out)
                out.appendRaw("}}" as StaticString)
            }
            index += 1
            out.appendRaw("]}" as StaticString)
        case UInt8(ascii: "["):
            index += 1
            out.appendRaw(#""arrayValue":{"values":["# as StaticString)
            var first = true
            while index < input.count, input[index] != UInt8(ascii: "]") {
                if input[index] == UInt8(ascii: ",") { index += 1 }
                if !first { out.appendRaw("," as StaticString) }
                first = false
                out.appendRaw("{" as StaticString)
                value(&out)
                out.appendRaw("}" as StaticString)
            }
            index += 1
            out.appendRaw("]}" as StaticString)
        case UInt8(ascii: "\""):
            out.appendRaw(#""stringValue":"# as StaticString)
            copyString(&out)
        case UInt8(ascii: "t"):
            index += 4
            out.appendRaw(#""boolValue":true"# as StaticString)
        case UInt8(ascii: "f"):
            index += 5
            out.appendRaw(#""boolValue":false"# as StaticString)
        case UInt8(ascii: "n"):
            index += 4  // null: the empty AnyValue
        default:
            number(&out)
        }
    }

    /// Copies one string token, quotes included.
    mutating func copyString(_ out: inout RecordWriter) {
        let start = index
        index += 1
        while index < input.count {
            let c = input[index]
            if c == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            index += 1
            if c == UInt8(ascii: "\"") { break }
        }
        out.appendRaw(UnsafeBufferPointer(rebasing: input[start..<index]))
    }

    mutating func number(_ out: inout RecordWriter) {
        let start = index
        while index < input.count {
            let c = input[index]
            guard
                c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e")
                    || c == UInt8(ascii: "E") || (c >= 48 && c <= 57)
            else { break }
            index += 1
        }
        let token = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
        if let integer = Int64(token) {
            // Raw writes only: the writer's comma state belongs to the enclosing JSON.
            out.appendRaw(#""intValue":""# as StaticString)
            out.appendRawDecimal(integer)
            out.appendRaw("\"" as StaticString)
        } else if let double = Double(token), double.isFinite {
            out.appendRaw(#""doubleValue":"# as StaticString)
            out.appendRaw(UnsafeBufferPointer(rebasing: input[start..<index]))
        } else {
            out.appendRaw(#""stringValue":""# as StaticString)
            out.appendText(token) { _ in nil }  // a number token needs no escaping
            out.appendRaw("\"" as StaticString)
        }
    }
}
