import SIEMCore

/// How a JSON value found at a path becomes a row value, so a mapper reads a JSON line the way it
/// reads a table row:
///
/// | JSON | value |
/// |---|---|
/// | string | `.text`, escapes decoded |
/// | integer within 64 bits (no fraction, no exponent) | `.integer` |
/// | other number a double holds | `.real` |
/// | number beyond both (`1e400`, a 30-digit integer) | `.text` of the number as written: nothing is rounded away |
/// | `true` / `false` | `.text("true")` / `.text("false")` |
/// | object, array | `.text` of its canonical compact JSON (what `attributes: {json: …}` parses) |
/// | `null`, or nothing at the path | `.null` |
enum JSONLineValues {
    static func value(
        of slot: JSONLineScanner.Slot, in line: UnsafeBufferPointer<UInt8>, arena: TextArena,
        scratch: inout [UInt8]
    ) -> SQLValue {
        if slot.kind == .missing || slot.kind == .null { return .null }
        let bytes = UnsafeBufferPointer(rebasing: line[slot.start..<slot.end])
        switch slot.kind {
        case .missing, .null:
            return .null
        case .string:
            return .text(arena.appendValidated(UnsafeBufferPointer(rebasing: bytes.dropFirst().dropLast())))
        case .escapedString:
            scratch.removeAll(keepingCapacity: true)
            JSONLineScanner.unescape(UnsafeBufferPointer(rebasing: bytes.dropFirst().dropLast()), into: &scratch)
            return .text(scratch.withUnsafeBufferPointer { arena.appendValidated($0) })
        case .trueValue, .falseValue:
            return .text(arena.appendValidated(bytes))
        case .number:
            return number(bytes, arena: arena)
        case .object, .array:
            let raw = arena.appendValidated(bytes)
            switch JSONCanonicalizer.canonicalize(raw) {
            case .object(let canonical), .other(let canonical): return .text(canonical.text)
            case .empty: return .text(arena.appendValidated(emptyObject))
            case .invalid: return .text(raw)  // cannot happen: the scanner validated it
            }
        }
    }

    /// `{}`, which the canonicalizer reports as empty (an empty array stays `[]`).
    private static var emptyObject: UnsafeBufferPointer<UInt8> {
        let text: StaticString = "{}"
        return UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// A validated JSON number token.
    static func number(_ token: UnsafeBufferPointer<UInt8>, arena: TextArena) -> SQLValue {
        if !token.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            if let integer = integer(token) { return .integer(integer) }
        } else if let real = Double(String(decoding: token, as: UTF8.self)), real.isFinite {
            return .real(real)
        }
        return .text(arena.appendValidated(token))
    }

    /// `-?digits` as an Int64, nil when it does not fit.
    private static func integer(_ token: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = token.first == UInt8(ascii: "-")
        var value: Int64 = 0
        for digit in token.dropFirst(negative ? 1 : 0) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) =
                negative
                ? times10.subtractingReportingOverflow(Int64(digit - 48))
                : times10.addingReportingOverflow(Int64(digit - 48))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }
}
