/// The `\uXXXX` rule shared by `JSONParser`, `JSONCanonicalizer` and the JSON-lines source, so
/// all read escapes alike.
public enum JSONUnicodeEscape {
    /// Reads the four hex digits after `\u` at `index`, joining a following low surrogate escape;
    /// a lone surrogate becomes U+FFFD. Nil when the digits are malformed.
    @inlinable
    public static func decode<C: RandomAccessCollection>(_ input: C, at index: inout Int) -> Unicode.Scalar?
    where C.Element == UInt8, C.Index == Int {
        guard let high = hex4(input, at: &index) else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            if index + 1 < input.endIndex, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u") {
                let save = index
                index += 2
                guard let low = hex4(input, at: &index) else { return nil }
                if (0xDC00..<0xE000).contains(low) {
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
                }
                index = save
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(high) ?? "\u{FFFD}"
    }

    @inlinable
    static func hex4<C: RandomAccessCollection>(_ input: C, at index: inout Int) -> UInt32?
    where C.Element == UInt8, C.Index == Int {
        guard index + 4 <= input.endIndex else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = input[index]
            let digit: UInt32
            switch c {
            case 48...57: digit = UInt32(c - 48)
            case 65...70: digit = UInt32(c - 55)
            case 97...102: digit = UInt32(c - 87)
            default: return nil
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
