/// RFC 3339 UTC timestamps from Unix seconds, without Foundation (this runs once per event).
public enum RFC3339 {
    /// The range of Unix seconds whose year has four digits (0000–9999), all RFC 3339 can express.
    public static let representableSeconds: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    /// Writes `YYYY-MM-DDThh:mm:ssZ` (20 bytes). The caller keeps `seconds` in `representableSeconds`.
    public static func write(unixSeconds seconds: Int64, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { scratch in
            let n = write(unixSeconds: seconds, to: scratch.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: n))
        }
    }

    static func write(unixSeconds seconds: Int64, into buffer: RecordBuffer) {
        buffer.reserve(20)
        buffer.count += write(unixSeconds: seconds, to: buffer.base + buffer.count)
    }

    /// Writes the 20 bytes at `p`; returns 20.
    static func write(unixSeconds seconds: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var out = OutputCursor(p)
        let t = CivilTime(unixSeconds: seconds)
        append(t.year, width: 4, into: &out)
        out.append(UInt8(ascii: "-"))
        append(t.month, width: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        append(t.day, width: 2, into: &out)
        out.append(UInt8(ascii: "T"))
        append(t.hour, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        append(t.minute, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        append(t.second, width: 2, into: &out)
        out.append(UInt8(ascii: "Z"))
        return out.written
    }

    /// A write position in memory the caller has reserved.
    struct OutputCursor {
        let start: UnsafeMutablePointer<UInt8>
        var position: UnsafeMutablePointer<UInt8>
        init(_ start: UnsafeMutablePointer<UInt8>) {
            self.start = start
            position = start
        }
        @inline(__always) mutating func append(_ byte: UInt8) {
            position.pointee = byte
            position += 1
        }
        var written: Int { position - start }
    }

    public static func string(fromUnixSeconds seconds: Int64) -> String {
        var bytes: [UInt8] = []
        write(unixSeconds: seconds, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    static func append(_ value: Int64, width: Int, into out: inout OutputCursor) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: 48 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }
}

/// A UTC calendar time from Unix seconds (proleptic Gregorian), computed without Foundation.
public struct CivilTime: Sendable, Equatable {
    public let year: Int64
    public let month: Int64
    public let day: Int64
    public let hour: Int64
    public let minute: Int64
    public let second: Int64
    /// 0 = Sunday … 6 = Saturday.
    public let weekday: Int64

    public init(unixSeconds seconds: Int64) {
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        // Howard Hinnant's civil_from_days: exact for every day, no tables.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        hour = rem / 3_600
        minute = (rem % 3_600) / 60
        second = rem % 60
        let w = (days + 4) % 7  // 1970-01-01 was a Thursday
        weekday = w < 0 ? w + 7 : w
    }
}
