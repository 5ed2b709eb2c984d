/// Numbers too large for a double, which JSON's grammar allows but parsers may refuse.
///
/// RFC 8259 §6 lets implementations limit the range of numbers, and most do: Foundation refuses
/// `1e400` outright and Elasticsearch rejects the whole document. Such a number in `extra` is
/// written as a JSON string of its exact text instead, so the event still parses everywhere and
/// nothing is lost. Large integers within a double's range stay numbers.
public enum JSONNumberRange {
    /// Whether a valid JSON number token's magnitude is beyond `Double.greatestFiniteMagnitude`.
    public static func overflowsDouble(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        // Below 309 characters without an exponent, a number cannot exceed ~1.8e308.
        guard token.count > 308 || token.contains(UInt8(ascii: "e")) || token.contains(UInt8(ascii: "E")) else {
            return false
        }
        guard let value = Double(String(decoding: token, as: UTF8.self)) else { return true }
        return value.isInfinite
    }
}
