import SIEMCore

/// A column holding typed attributes (the registry's `extra`, an audit row's `details`) as the
/// event's attributes: what every mapper does with such a column, the same way.
enum AttributesJSON {
    /// A column as a non-empty JSON object, key order kept. Text that is not JSON is kept
    /// as `{"raw": text}`, JSON that is not an object as `{"raw": value}`; empty and `null` are absent.
    static func object(_ value: SQLValue) -> JSONText? {
        guard let text = value.textValue, !isBlank(text) else { return nil }
        switch JSONCanonicalizer.canonicalize(text) {
        case .object(let object): return object
        case .empty: return nil
        case .other(let json): return raw(json.bytes)
        case .invalid:
            var escaped: [UInt8] = []
            text.withUTF8 { RecordWriter.appendEscaped($0, to: &escaped) }
            return raw(escaped)
        }
    }

    /// Whether text is empty or only JSON whitespace; a byte scan, not a grapheme walk.
    static func isBlank(_ text: UTF8Text) -> Bool {
        text.withUTF8 { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }
    }

    /// `{"raw":<json>}`.
    private static func raw(_ json: [UInt8]) -> JSONText {
        var bytes: [UInt8] = Array(#"{"raw":"#.utf8)
        bytes.reserveCapacity(json.count + 8)
        bytes += json
        bytes.append(UInt8(ascii: "}"))
        return JSONText(canonicalBytes: bytes)
    }
}
