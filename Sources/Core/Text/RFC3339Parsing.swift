/// Reading RFC 3339 timestamps (`2026-03-04T05:06:07.123Z`, `…+02:00`), and writing the fraction
/// of a second: what sources with sub-second times need (audit logs, JSON lines).
extension RFC3339 {
    /// Seconds since the epoch and nanoseconds, or nil when `text` is not an RFC 3339
    /// date-time (§5.6: `T` or `t` or a space between date and time, `Z` or an offset; leap
    /// second 60 read as 59; fraction digits beyond nine dropped).
    public static func parse(_ text: some StringProtocol) -> (seconds: Int64, nanos: Int32)? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in at..<(at + count) {
                guard (48...57).contains(b[i]) else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45,
            let day = digits(8, 2), [0x54, 0x74, 0x20].contains(b[10]), let hour = digits(11, 2), b[13] == 58,
            let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale: Int64 = 100_000_000
            let start = i
            while i < b.count, (48...57).contains(b[i]) {
                if scale > 0 {
                    nanos += Int64(b[i] - 48) * scale
                    scale /= 10
                }
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        switch b[i] {
        case 0x5A, 0x7A:  // Z, z
            i += 1
        case 0x2B, 0x2D:  // + or -
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = digits(i + 4, 2), oh < 24,
                om < 60
            else { return nil }
            offset = (oh * 3_600 + om * 60) * (b[i] == 0x2D ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + min(second, 59) - offset
        return (seconds, Int32(nanos))
    }

    /// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The fraction `.d…` of `nanos` with the fewest of 3, 6 or 9 digits that is exact; empty for 0.
    public static func fraction(nanos: Int32, maxDigits: Int = 9) -> String {
        guard nanos > 0 else { return "" }
        var digits = 9
        var value = Int(nanos)
        while digits > 3 && value % 1_000 == 0 {
            value /= 1_000
            digits -= 3
        }
        if digits > maxDigits {
            for _ in 0..<(digits - maxDigits) { value /= 10 }
            digits = maxDigits
        }
        let text = String(value)
        return "." + String(repeating: "0", count: digits - text.count) + text
    }

    /// RFC 3339 with the fraction, when there is one: `2026-03-04T05:06:07.25Z` is written `.250`.
    public static func string(fromUnixSeconds seconds: Int64, nanos: Int32, maxDigits: Int = 9) -> String {
        guard nanos > 0 else { return string(fromUnixSeconds: seconds) }
        return String(string(fromUnixSeconds: seconds).dropLast()) + fraction(nanos: nanos, maxDigits: maxDigits) + "Z"
    }
}
