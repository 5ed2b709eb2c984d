import SIEMCore

/// A column of a JSON-lines source: a path into each line's object.
///
/// `user.name` is member `name` of member `user`; `tags[0]` is an array's first element;
/// `["a.b"]` is a member whose name holds a dot (or a bracket), written as a JSON string, and
/// `$` is the whole line. Forms combine: `details["x.y"][2].id`. A name between dots is taken
/// as written (`@timestamp`, `user-agent`, `ünïcode`); only `.`, `[` and `]` need the brackets.
struct JSONPath: Equatable, CustomStringConvertible {
    enum Segment: Equatable {
        case member([UInt8])
        case index(Int)
    }

    /// Empty for `$`, the whole line.
    let segments: [Segment]
    let text: String

    var description: String { text }

    /// Why a column name is not a path, with the character it went wrong at (1-based).
    struct Problem: Error, Equatable, CustomStringConvertible {
        let path: String
        let position: Int
        let reason: String
        var description: String {
            "'\(path)' is not a JSON path (character \(position): \(reason)); write `a.b`, `a[0]`, `[\"a.b\"]` or `$`"
        }
    }

    init(_ text: String) throws(Problem) {
        self.text = text
        if text == "$" {
            segments = []
            return
        }
        let bytes = Array(text.utf8)
        var segments: [Segment] = []
        var i = 0
        func fail(_ reason: String) -> Problem { Problem(path: text, position: i + 1, reason: reason) }
        func name() throws(Problem) {
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "."), bytes[i] != UInt8(ascii: "["),
                bytes[i] != UInt8(ascii: "]")
            {
                i += 1
            }
            guard i > start else { throw fail("a name is empty") }
            segments.append(.member(Array(bytes[start..<i])))
        }
        guard !bytes.isEmpty else { throw fail("the path is empty") }
        if bytes[0] != UInt8(ascii: "[") { try name() }
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "."):
                i += 1
                try name()
            case UInt8(ascii: "["):
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                    var end = i
                    let quoted = Self.quotedName(bytes, at: &end)
                    i = end
                    switch quoted {
                    case .success(let name): segments.append(.member(name))
                    case .failure(let reason): throw fail(reason.text)
                    }
                } else {
                    let start = i
                    var value = 0
                    while i < bytes.count, (48...57).contains(bytes[i]), value < 1 << 40 {
                        value = value * 10 + Int(bytes[i] - 48)
                        i += 1
                    }
                    guard i > start else { throw fail("expected an index or a quoted name after '['") }
                    segments.append(.index(value))
                }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "]") else { throw fail("expected ']'") }
                i += 1
            default:
                throw fail("expected '.' or '['")
            }
        }
        self.segments = segments
    }

    struct Reason: Error {
        let text: String
    }

    /// A JSON string literal starting at `i` (its opening quote), unescaped; `i` ends past it,
    /// or where it went wrong.
    private static func quotedName(_ bytes: [UInt8], at i: inout Int) -> Result<[UInt8], Reason> {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return .success(out)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { return .failure(Reason(text: "unterminated quoted name")) }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = JSONUnicodeEscape.decode(bytes, at: &i) else {
                        return .failure(Reason(text: "bad \\u escape"))
                    }
                    UTF8.encode(scalar) { out.append($0) }
                default: return .failure(Reason(text: "unknown escape"))
                }
            default:
                out.append(c)
            }
        }
        return .failure(Reason(text: "unterminated quoted name"))
    }
}

/// The paths a mapper asked for, merged into one tree so a line is scanned once whatever their
/// number: each node is a member or element some column goes through, and says which columns end
/// there.
final class JSONPathTree {
    final class Node {
        var members: [(name: [UInt8], node: Node)] = []
        var elements: [(index: Int, node: Node)] = []
        /// Columns whose path ends here.
        var columns: [Int] = []
        /// Columns whose path ends here or below: what a repeated member name clears (the last
        /// value wins, as `JSONParser` decides).
        var subtree: [Int] = []

        func member(_ name: UnsafeBufferPointer<UInt8>) -> Node? {
            for entry in members where entry.name.count == name.count {
                if entry.name.withUnsafeBufferPointer({ $0.elementsEqual(name) }) { return entry.node }
            }
            return nil
        }

        func element(_ index: Int) -> Node? {
            for entry in elements where entry.index == index { return entry.node }
            return nil
        }
    }

    let root = Node()
    let columnCount: Int

    init(_ paths: [JSONPath]) {
        columnCount = paths.count
        for (column, path) in paths.enumerated() {
            var node = root
            node.subtree.append(column)
            for segment in path.segments {
                let next: Node
                switch segment {
                case .member(let name):
                    if let found = node.members.first(where: { $0.name == name })?.node {
                        next = found
                    } else {
                        next = Node()
                        node.members.append((name, next))
                    }
                case .index(let index):
                    if let found = node.element(index) {
                        next = found
                    } else {
                        next = Node()
                        node.elements.append((index, next))
                    }
                }
                next.subtree.append(column)
                node = next
            }
            node.columns.append(column)
        }
    }
}
