/// UTF-8 validation per RFC 3629 (no overlong forms, no surrogates, nothing above U+10FFFF),
/// with an eight-bytes-at-a-time path for ASCII, which is nearly all registry text.
public enum UTF8Validation {
    /// What one pass over a text found.
    public enum Scan: Equatable, Sendable {
        case invalid
        /// Valid UTF-8; `plain` when no byte needs JSON escaping (`"`, `\`, C0 controls, DEL).
        case valid(plain: Bool)
    }

    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        scan(bytes) != .invalid
    }

    /// Validates and, in the same pass, notes whether JSON escaping would change any byte: the
    /// text is read once as it enters a batch instead of once per formatter that writes it.
    public static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        guard let base = bytes.baseAddress else { return .valid(plain: true) }
        let n = bytes.count
        var i = 0
        var escapes: UInt64 = 0
        while i < n {
            while i + 8 <= n {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                escapes |= RecordWriter.escapeBits(word)
                i += 8
            }
            // The last few bytes as one word ending at the end (it overlaps bytes already seen,
            // which changes nothing): most texts are short and end in ASCII.
            if i + 8 > n, n >= 8 {
                let word = UnsafeRawPointer(base + n - 8).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    escapes |= RecordWriter.escapeBits(word)
                    break
                }
            }
            guard i < n else { break }
            let lead = base[i]
            if lead < 0x80 {
                if lead < 0x20 || lead == 0x22 || lead == 0x5C || lead == 0x7F { escapes = 1 }
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: return .invalid
            }
            guard i + length <= n else { return .invalid }
            let second = base[i + 1]
            guard second >= low, second <= high else { return .invalid }
            for k in 2..<length where base[i + k] & 0xC0 != 0x80 { return .invalid }
            i += length
        }
        return .valid(plain: escapes == 0)
    }
}
