/// Rewrites JSON text into canonical compact JSON in one pass, without building a tree.
///
/// This is the hot path for the registry's `extra` column: a validating recursive-descent
/// scanner that writes as it reads. It agrees byte for byte with parsing into `JSONValue` and
/// writing that back (the golden files hold both to it); only the rare object with a repeated
/// key takes that slower path, because resolving "last value wins, first position" needs the
/// whole object.
public enum JSONCanonicalizer {
    public enum Outcome: Equatable {
        /// A non-empty object, canonical.
        case object(JSONText)
        /// `{}` or `null`: nothing to keep.
        case empty
        /// Valid JSON that is not an object (an array, string, number, boolean), canonical.
        case other(JSONText)
        /// Not JSON (or nested deeper than `JSONParser.maximumDepth`).
        case invalid
    }

    public static func canonicalize(_ text: String) -> Outcome {
        var text = text
        return text.withUTF8 { canonicalize(utf8: $0) }
    }

    public static func canonicalize(utf8 input: UnsafeBufferPointer<UInt8>) -> Outcome {
        var scanner = Scanner(input: input)
        scanner.skipWhitespace()
        guard let first = scanner.peek() else { return .invalid }
        do {
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            guard scanner.index == input.count else { return .invalid }
        } catch Scanner.Stop.duplicateKey {
            return slowPath(input)
        } catch {
            return .invalid
        }
        let out = scanner.out
        if first == UInt8(ascii: "{") { return out.count == 2 ? .empty : .object(JSONText(canonicalBytes: out)) }
        if first == UInt8(ascii: "n") { return .empty }
        return .other(JSONText(canonicalBytes: out))
    }

    /// Parse into a tree (which resolves repeated keys) and render it.
    private static func slowPath(_ input: UnsafeBufferPointer<UInt8>) -> Outcome {
        guard let value = try? JSONParser.parse(String(decoding: input, as: UTF8.self)) else { return .invalid }
        switch value {
        case .null: return .empty
        case .object(let members): return members.isEmpty ? .empty : .object(JSONText(value))
        default: return .other(JSONText(value))
        }
    }

    struct Scanner {
        enum Stop: Error { case invalid, duplicateKey }

        let input: UnsafeBufferPointer<UInt8>
        var index = 0
        var out: [UInt8] = []
        var scratch: [UInt8] = []

        init(input: UnsafeBufferPointer<UInt8>) {
            self.input = input
            out.reserveCapacity(input.count)
        }

        @inline(__always) func peek() -> UInt8? { index < input.count ? input[index] : nil }

        mutating func skipWhitespace() {
            while index < input.count {
                let c = input[index]
                guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
                index += 1
            }
        }

        mutating func value(depth: Int) throws(Stop) {
            guard depth < JSONParser.maximumDepth, let c = peek() else { throw .invalid }
            switch c {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw .invalid
            }
        }

        mutating func literal(_ word: StaticString) throws(Stop) {
            let count = word.utf8CodeUnitCount
            guard index + count <= input.count else { throw .invalid }
            for i in 0..<count where input[index + i] != word.utf8Start[i] { throw .invalid }
            out.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: count))
            index += count
        }

        mutating func object(depth: Int) throws(Stop) {
            index += 1
            out.append(UInt8(ascii: "{"))
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                out.append(UInt8(ascii: "}"))
                return
            }
            var keys: [Range<Int>] = []
            var keySet: Set<ArraySlice<UInt8>>?
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw .invalid }
                let keyStart = out.count
                try string()
                let key = keyStart..<out.count
                // A repeated key sends the whole text down the slow path.
                if let set = keySet {
                    if set.contains(out[key]) { throw .duplicateKey }
                    keySet!.insert(out[key])
                } else {
                    for earlier in keys where out[earlier].elementsEqual(out[key]) { throw .duplicateKey }
                    keys.append(key)
                    if keys.count > 16 { keySet = Set(keys.map { out[$0] }) }
                }
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw .invalid }
                index += 1
                out.append(UInt8(ascii: ":"))
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                guard let c = peek() else { throw .invalid }
                index += 1
                if c == UInt8(ascii: ",") {
                    out.append(c)
                    continue
                }
                guard c == UInt8(ascii: "}") else { throw .invalid }
                out.append(c)
                return
            }
        }

        mutating func array(depth: Int) throws(Stop) {
            index += 1
            out.append(UInt8(ascii: "["))
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                out.append(UInt8(ascii: "]"))
                return
            }
            while true {
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                guard let c = peek() else { throw .invalid }
                index += 1
                if c == UInt8(ascii: ",") {
                    out.append(c)
                    continue
                }
                guard c == UInt8(ascii: "]") else { throw .invalid }
                out.append(c)
                return
            }
        }

        mutating func number() throws(Stop) {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), first >= 48, first <= 57 else { throw .invalid }
            if first == 48 {
                index += 1
            } else {
                while let c = peek(), c >= 48, c <= 57 { index += 1 }
            }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard let c = peek(), c >= 48, c <= 57 else { throw .invalid }
                while let c = peek(), c >= 48, c <= 57 { index += 1 }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard let c = peek(), c >= 48, c <= 57 else { throw .invalid }
                while let c = peek(), c >= 48, c <= 57 { index += 1 }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
        }

        /// Reads a string token; a run without escapes is escaped straight from the input, one with
        /// escapes is decoded into `scratch` first. Either way the output is `JSONWriter`'s form.
        mutating func string() throws(Stop) {
            index += 1
            let start = index
            while index < input.count {
                let c = input[index]
                if c == UInt8(ascii: "\"") {
                    JSONWriter.appendEscaped(UnsafeBufferPointer(rebasing: input[start..<index]), to: &out)
                    index += 1
                    return
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw .invalid }
                index += 1
            }
            guard index < input.count else { throw .invalid }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
            while index < input.count {
                let c = input[index]
                index += 1
                switch c {
                case UInt8(ascii: "\""):
                    scratch.withUnsafeBufferPointer { JSONWriter.appendEscaped($0, to: &out) }
                    return
                case UInt8(ascii: "\\"):
                    guard let e = peek() else { throw .invalid }
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""): scratch.append(0x22)
                    case UInt8(ascii: "\\"): scratch.append(0x5C)
                    case UInt8(ascii: "/"): scratch.append(0x2F)
                    case UInt8(ascii: "b"): scratch.append(0x08)
                    case UInt8(ascii: "f"): scratch.append(0x0C)
                    case UInt8(ascii: "n"): scratch.append(0x0A)
                    case UInt8(ascii: "r"): scratch.append(0x0D)
                    case UInt8(ascii: "t"): scratch.append(0x09)
                    case UInt8(ascii: "u"): UTF8.encode(try unicodeEscape()) { scratch.append($0) }
                    default: throw .invalid
                    }
                case 0x00..<0x20:
                    throw .invalid
                default:
                    scratch.append(c)
                }
            }
            throw .invalid
        }

        mutating func unicodeEscape() throws(Stop) -> Unicode.Scalar {
            guard let scalar = JSONUnicodeEscape.decode(input, at: &index) else { throw .invalid }
            return scalar
        }
    }
}
