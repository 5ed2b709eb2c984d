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

    public static func canonicalize(_ text: String) -> Outcome { canonicalize(UTF8Text(text)) }

    /// Canonicalizes text; when it is canonical already the result refers to the same bytes.
    public static func canonicalize(_ text: UTF8Text) -> Outcome {
        text.withUTF8 { input in
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
            if first == UInt8(ascii: "n") || (first == UInt8(ascii: "{") && scanner.outCount == 2) { return .empty }
            let canonical =
                scanner.diverged
                ? JSONText(canonicalBytes: scanner.out)
                : JSONText(canonical: text.prefix(scanner.outCount))
            return first == UInt8(ascii: "{") ? .object(canonical) : .other(canonical)
        }
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

    /// A validating scanner that writes the canonical form as it reads. While the output is
    /// identical to the input read so far (`diverged` false), it stores nothing and only counts:
    /// text that is canonical already costs no allocation and no copy.
    struct Scanner {
        enum Stop: Error { case invalid, duplicateKey }

        let input: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Output bytes, stored from the first byte that differs from the input.
        var out: [UInt8] = []
        var outCount = 0
        var diverged = false
        var scratch: [UInt8] = []
        var escaped: [UInt8] = []

        init(input: UnsafeBufferPointer<UInt8>) {
            self.input = input
        }

        @inline(__always) func peek() -> UInt8? { index < input.count ? input[index] : nil }

        // MARK: Output

        mutating func diverge() {
            diverged = true
            out.reserveCapacity(input.count + 16)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[0..<outCount]))
        }

        @inline(__always)
        mutating func emit(_ byte: UInt8) {
            if !diverged {
                if outCount < input.count && input[outCount] == byte {
                    outCount += 1
                    return
                }
                diverge()
            }
            out.append(byte)
            outCount += 1
        }

        mutating func emit(_ bytes: UnsafeBufferPointer<UInt8>) {
            if !diverged {
                if outCount + bytes.count <= input.count
                    && UnsafeBufferPointer(rebasing: input[outCount..<outCount + bytes.count]).elementsEqual(bytes)
                {
                    outCount += bytes.count
                    return
                }
                diverge()
            }
            out.append(contentsOf: bytes)
            outCount += bytes.count
        }

        /// Emits `input[range]`, free while the output is still the input itself.
        mutating func emitInput(_ range: Range<Int>) {
            if !diverged && range.lowerBound == outCount {
                outCount = range.upperBound
                return
            }
            emit(UnsafeBufferPointer(rebasing: input[range]))
        }

        /// Output bytes written at `range` (from the input while nothing differs).
        func output(_ range: Range<Int>) -> ArraySlice<UInt8> {
            diverged ? out[range] : ArraySlice(UnsafeBufferPointer(rebasing: input[range]))
        }

        func outputEqual(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            guard a.count == b.count else { return false }
            if diverged { return out[a].elementsEqual(out[b]) }
            return UnsafeBufferPointer(rebasing: input[a]).elementsEqual(UnsafeBufferPointer(rebasing: input[b]))
        }

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
            emitInput(index..<index + count)
            index += count
        }

        mutating func object(depth: Int) throws(Stop) {
            index += 1
            emit(UInt8(ascii: "{"))
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                emit(UInt8(ascii: "}"))
                return
            }
            var keys: [Range<Int>] = []
            var keySet: Set<[UInt8]>?
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw .invalid }
                let keyStart = outCount
                try string()
                let key = keyStart..<outCount
                // A repeated key sends the whole text down the slow path.
                if keySet != nil {
                    if !keySet!.insert(Array(output(key))).inserted { throw .duplicateKey }
                } else {
                    for earlier in keys where outputEqual(earlier, key) { throw .duplicateKey }
                    keys.append(key)
                    if keys.count > 16 { keySet = Set(keys.map { Array(output($0)) }) }
                }
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw .invalid }
                index += 1
                emit(UInt8(ascii: ":"))
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                guard let c = peek() else { throw .invalid }
                index += 1
                if c == UInt8(ascii: ",") {
                    emit(c)
                    continue
                }
                guard c == UInt8(ascii: "}") else { throw .invalid }
                emit(c)
                return
            }
        }

        mutating func array(depth: Int) throws(Stop) {
            index += 1
            emit(UInt8(ascii: "["))
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                emit(UInt8(ascii: "]"))
                return
            }
            while true {
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                guard let c = peek() else { throw .invalid }
                index += 1
                if c == UInt8(ascii: ",") {
                    emit(c)
                    continue
                }
                guard c == UInt8(ascii: "]") else { throw .invalid }
                emit(c)
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
            let token = UnsafeBufferPointer(rebasing: input[start..<index])
            if JSONNumberRange.overflowsDouble(token) {
                emit(UInt8(ascii: "\""))
                emit(token)
                emit(UInt8(ascii: "\""))
            } else {
                emitInput(start..<index)
            }
        }

        /// Reads a string token; a run without escapes is escaped straight from the input, one with
        /// escapes is decoded into `scratch` first. Either way the output is `RecordWriter`'s form.
        mutating func string() throws(Stop) {
            index += 1
            let start = index
            while index < input.count {
                let c = input[index]
                if c == UInt8(ascii: "\"") {
                    let run = UnsafeBufferPointer(rebasing: input[start..<index])
                    if RecordWriter.nextEscape(run, from: 0) == run.count {
                        emitInput(start - 1..<index + 1)  // `"run"` is its own canonical form
                    } else {
                        emitEscaped(run)
                    }
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
                    let decoded = scratch
                    decoded.withUnsafeBufferPointer { emitEscaped($0) }
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

        mutating func emitEscaped(_ text: UnsafeBufferPointer<UInt8>) {
            escaped.removeAll(keepingCapacity: true)
            RecordWriter.appendEscaped(text, to: &escaped)
            let bytes = escaped
            bytes.withUnsafeBufferPointer { emit($0) }
        }

        mutating func unicodeEscape() throws(Stop) -> Unicode.Scalar {
            guard let scalar = JSONUnicodeEscape.decode(input, at: &index) else { throw .invalid }
            return scalar
        }
    }
}
