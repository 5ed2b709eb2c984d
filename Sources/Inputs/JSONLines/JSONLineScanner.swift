import SIEMCore

/// Checks that one line is a JSON object (RFC 8259, strictly) and finds, in the same pass, where
/// the value at each of the mapper's paths lies, without building a tree: a line is scanned
/// once however many columns are asked for, and values nobody asked for are only validated.
///
/// A member named twice takes its last value, as `JSONParser` decides, so a path never sees a
/// value a JSON parser would have dropped.
struct JSONLineScanner {
    enum Kind: UInt8 {
        case missing, string, escapedString, number, trueValue, falseValue, null, object, array
    }

    /// Where one column's value lies in the line.
    struct Slot {
        var kind = Kind.missing
        var start = 0
        var end = 0
    }

    struct Failure: Error, Equatable, CustomStringConvertible {
        let offset: Int
        let reason: String
        /// Not JSON at all, rather than JSON that is not an object.
        var isSyntax = true
        var description: String { isSyntax ? "not valid JSON: \(reason) at byte \(offset) of the line" : reason }
    }

    /// Per column, after `scan`.
    private(set) var slots: [Slot]
    private var input = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var index = 0
    private var scratch: [UInt8] = []

    init(columnCount: Int) {
        slots = Array(repeating: Slot(), count: columnCount)
    }

    /// Scans `line` (valid UTF-8), which must hold one JSON object and nothing else but
    /// whitespace. Slots refer to `line`'s bytes until the next scan.
    mutating func scan(_ line: UnsafeBufferPointer<UInt8>, tree: JSONPathTree) throws(Failure) {
        input = line
        index = 0
        for i in slots.indices { slots[i].kind = .missing }
        skipWhitespace()
        guard let first = peek(), first == UInt8(ascii: "{") else {
            let start =
                peek().map { $0 < 0x80 ? "'\(Character(Unicode.Scalar($0)))'" : "a non-ASCII character" } ?? "nothing"
            throw Failure(
                offset: index, reason: "the line is not a JSON object (it starts with \(start))", isSyntax: false)
        }
        try value(tree.root, depth: 0)
        skipWhitespace()
        guard index == input.count else { throw fail("text after the object") }
    }

    private func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    @inline(__always) private func peek() -> UInt8? { index < input.count ? input[index] : nil }

    private mutating func skipWhitespace() {
        while index < input.count {
            let c = input[index]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            index += 1
        }
    }

    private mutating func value(_ node: JSONPathTree.Node?, depth: Int) throws(Failure) {
        guard depth < JSONParser.maximumDepth else { throw fail("nested deeper than \(JSONParser.maximumDepth)") }
        guard let c = peek() else { throw fail("unexpected end of line") }
        let start = index
        let kind: Kind
        switch c {
        case UInt8(ascii: "{"):
            try object(node, depth: depth)
            kind = .object
        case UInt8(ascii: "["):
            try array(node, depth: depth)
            kind = .array
        case UInt8(ascii: "\""):
            kind = try string() ? .escapedString : .string
        case UInt8(ascii: "t"):
            try literal("true")
            kind = .trueValue
        case UInt8(ascii: "f"):
            try literal("false")
            kind = .falseValue
        case UInt8(ascii: "n"):
            try literal("null")
            kind = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
            kind = .number
        default:
            throw fail("unexpected character")
        }
        if let node {
            for column in node.columns { slots[column] = Slot(kind: kind, start: start, end: index) }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= input.count else { throw fail("unexpected end of line") }
        for i in 0..<count where input[index + i] != word.utf8Start[i] { throw fail("unexpected character") }
        index += count
    }

    private mutating func object(_ node: JSONPathTree.Node?, depth: Int) throws(Failure) {
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let nameStart = index + 1
            let escaped = try string()
            var child: JSONPathTree.Node?
            if let node, !node.members.isEmpty {
                if escaped {
                    scratch.removeAll(keepingCapacity: true)
                    Self.unescape(UnsafeBufferPointer(rebasing: input[nameStart..<index - 1]), into: &scratch)
                    child = scratch.withUnsafeBufferPointer { node.member($0) }
                } else {
                    child = node.member(UnsafeBufferPointer(rebasing: input[nameStart..<index - 1]))
                }
                // A repeated name: what its earlier value set no longer holds.
                if let child { for column in child.subtree { slots[column].kind = .missing } }
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            try value(child, depth: depth + 1)
            skipWhitespace()
            guard let c = peek() else { throw fail("unexpected end of line") }
            index += 1
            if c == UInt8(ascii: ",") { continue }
            guard c == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            return
        }
    }

    private mutating func array(_ node: JSONPathTree.Node?, depth: Int) throws(Failure) {
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        var position = 0
        while true {
            skipWhitespace()
            let child = node.flatMap { $0.elements.isEmpty ? nil : $0.element(position) }
            try value(child, depth: depth + 1)
            position += 1
            skipWhitespace()
            guard let c = peek() else { throw fail("unexpected end of line") }
            index += 1
            if c == UInt8(ascii: ",") { continue }
            guard c == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            return
        }
    }

    private mutating func number() throws(Failure) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), first >= 48, first <= 57 else { throw fail("expected a digit") }
        if first == 48 {
            index += 1
        } else {
            while let c = peek(), c >= 48, c <= 57 { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let c = peek(), c >= 48, c <= 57 else { throw fail("expected a digit after '.'") }
            while let c = peek(), c >= 48, c <= 57 { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let c = peek(), c >= 48, c <= 57 else { throw fail("expected a digit in the exponent") }
            while let c = peek(), c >= 48, c <= 57 { index += 1 }
        }
    }

    /// Reads a string token from its opening quote; true when it holds escapes.
    private mutating func string() throws(Failure) -> Bool {
        index += 1
        var escaped = false
        while index < input.count {
            let c = input[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return escaped
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard let e = peek() else { break }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard JSONUnicodeEscape.decode(input, at: &index) != nil else { throw fail("bad \\u escape") }
                default:
                    throw fail("unknown escape")
                }
                continue
            }
            guard c >= 0x20 else { throw fail("control character in a string") }
            index += 1
        }
        throw fail("unterminated string")
    }

    /// The text of a string token's inside (between its quotes, validated by `scan`), escapes decoded.
    static func unescape(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        while i < text.count {
            let c = text[i]
            i += 1
            guard c == UInt8(ascii: "\\"), i < text.count else {
                out.append(c)
                continue
            }
            let e = text[i]
            i += 1
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = JSONUnicodeEscape.decode(text, at: &i) ?? "\u{FFFD}"
                UTF8.encode(scalar) { out.append($0) }
            default: out.append(e)  // `"`, `\`, `/`
            }
        }
    }
}
