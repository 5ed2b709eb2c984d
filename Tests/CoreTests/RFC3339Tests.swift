import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@Suite struct RFC3339Tests {
    @Test func knownInstants() {
        #expect(RFC3339.string(fromUnixSeconds: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.string(fromUnixSeconds: -1) == "1969-12-31T23:59:59Z")
        #expect(RFC3339.string(fromUnixSeconds: 1_735_000_000) == "2024-12-24T00:26:40Z")
        #expect(RFC3339.string(fromUnixSeconds: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(RFC3339.string(fromUnixSeconds: RFC3339.representableSeconds.upperBound) == "9999-12-31T23:59:59Z")
        #expect(RFC3339.string(fromUnixSeconds: RFC3339.representableSeconds.lowerBound) == "0000-01-01T00:00:00Z")
    }

    /// Foundation's ISO 8601 formatter is an independent oracle for the calendar arithmetic.
    @Test func agreesWithFoundationAcrossCenturies() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        var random = SeededRandom()
        while seconds < 7_258_118_400 {  // 2200-01-01
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(RFC3339.string(fromUnixSeconds: seconds) == expected, "\(random.note)")
            seconds += Int64.random(in: 1...40_000_000, using: &random)
        }
    }

    @Test func weekdays() {
        #expect(CivilTime(unixSeconds: 0).weekday == 4)  // Thursday
        #expect(CivilTime(unixSeconds: -86_400).weekday == 3)
        #expect(CivilTime(unixSeconds: 1_767_225_600).weekday == 4)  // 2026-01-01, a Thursday
    }
}

@Suite struct RFC3339ParsingTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0, 0), ("2026-03-04T05:06:07Z", 1_772_600_767, 0),
        ("2026-03-04T05:06:07.25Z", 1_772_600_767, 250_000_000),
        ("2026-03-04t05:06:07.123456789z", 1_772_600_767, 123_456_789),
        ("2026-03-04 07:06:07+02:00", 1_772_600_767, 0), ("2026-03-04T00:06:07-05:00", 1_772_600_767, 0),
        ("2000-02-29T23:59:60Z", 951_868_799, 0), ("0000-01-01T00:00:00Z", -62_167_219_200, 0),
        ("2026-03-04T05:06:07.1234567891Z", 1_772_600_767, 123_456_789),
    ])
    func readsDateTimes(text: String, seconds: Int64, nanos: Int32) {
        let parsed = RFC3339.parse(text)
        #expect(parsed?.seconds == seconds && parsed?.nanos == nanos, "\(text)")
    }

    @Test(arguments: [
        "", "2026-03-04", "2026-03-04T05:06:07", "2026-13-04T05:06:07Z", "2026-03-04T24:00:00Z",
        "2026-03-04T05:06:07.Z",
        "2026-03-04T05:06:07+0200", "2026-03-04T05:06:07Zjunk", "x026-03-04T05:06:07Z",
    ])
    func refusesWhatIsNot(text: String) { #expect(RFC3339.parse(text) == nil, "\(text)") }

    @Test func agreesWithTheWriterOnEverySecondItWrites() {
        var random = SeededRandom()
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: RFC3339.representableSeconds, using: &random)
            let nanos = Int32.random(in: 0..<1_000_000_000, using: &random)
            let text = RFC3339.string(fromUnixSeconds: seconds, nanos: nanos)
            let parsed = RFC3339.parse(text)
            #expect(parsed?.seconds == seconds && parsed?.nanos == nanos, "\(text); \(random.note)")
        }
        #expect(RFC3339.fraction(nanos: 250_000_000) == ".250")
        #expect(RFC3339.fraction(nanos: 123_456_000) == ".123456")
        #expect(RFC3339.fraction(nanos: 1) == ".000000001")
        #expect(RFC3339.fraction(nanos: 123_456_789, maxDigits: 6) == ".123456")
        #expect(RFC3339.fraction(nanos: 0).isEmpty)
    }
}
