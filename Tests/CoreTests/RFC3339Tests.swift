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
