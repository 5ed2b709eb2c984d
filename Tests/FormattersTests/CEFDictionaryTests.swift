import Foundation
import SIEMCore
import SIEMFormatters
import SIEMInputs
import SIEMTestSupport
import Testing

/// CEF output checked against the ArcSight extension dictionary by scripts/check-cef.py, which
/// parses each line itself and knows each key's type and length from the standard.
@Suite struct CEFDictionaryTests {
    static func temporaryFile(_ lines: [String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cef-\(UUID().uuidString).txt")
        try lines.map { $0 + "\n" }.joined().write(to: url, atomically: false, encoding: .utf8)
        return url
    }

    static func goldenFiles(_ schema: String) throws -> [String] {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("cef/\(schema)")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            folder.appendingPathComponent($0).path
        }
    }

    /// Every golden line of the current schema, beacon and the other categories alike.
    @Test func everyGoldenLineOfTheCurrentSchemaKeepsToTheDictionary() throws {
        let files = try Self.goldenFiles("oversight-cef-2")
        #expect(files.count == (try FixtureRows.all().count) + (try CanonicalFixtures.all().count))
        let (result, problems) = try CEFDictionaryCheck.check(files)
        let check = try #require(result, "check-cef.py: \(problems)")
        #expect(check.lines == files.count && check.failures == 0, "\(problems)")
    }

    /// The check is not a rubber stamp: the first version's lines that the standard forbids —
    /// an IPv6 address in `src`, a 4 KB user agent — are exactly the ones it names.
    @Test func theFirstVersionsIPv6SourceAndOverlongValueAreCaught() throws {
        let (result, problems) = try CEFDictionaryCheck.check(try Self.goldenFiles("oversight-cef-1"))
        #expect(result?.failures == 2, "\(problems)")
        #expect(problems.contains("http-img-ipv6.txt:1: src '2001:db8::1f' is not an IPv4 address"), "\(problems)")
        #expect(problems.contains("huge-user-agent.txt:1: requestClientApplication is 4016 bytes"), "\(problems)")
    }

    @Test func theCheckRefusesWhatTheDictionaryForbids() throws {
        let good = "CEF:0|V|P|1|sig|name|5|rt=1 externalId=2 src=10.0.0.1 cs1Label=tenant cs1=acme"
        let bad = [
            ("CEF:0|V|P|1|sig|name|11|rt=1", "Severity '11'"),
            ("CEF:0|V|P|1|sig|name|5|src=2001:db8::1", "not an IPv4 address"),
            ("CEF:0|V|P|1|sig|name|5|c6a2=10.0.0.1 c6a2Label=x", "not an IPv6 address"),
            ("CEF:0|V|P|1|sig|name|5|spt=70000", "outside 0..65535"),
            ("CEF:0|V|P|1|sig|name|5|cs1=acme", "cs1 has no cs1Label"),
            ("CEF:0|V|P|1|sig|name|5|tenant=acme", "'tenant' is not a key"),
            ("CEF:0|V|P|1|sig|name|5|eventId=3", "consumer key"),
            ("CEF:0|V|P|1|sig|name|5|act=" + String(repeating: "a", count: 64), "act is 64 bytes"),
            ("CEF:0|V|P|1|sig|name|5|rt=yesterday", "not a CEF timestamp"),
            ("CEF:0|V|P|1|sig|name|5|msg=a\\|b", "invalid escape"),
            ("CEF:0|V|P|1|sig|name|5|rt=1 rt=2", "rt appears twice"),
            ("CEF:0|V|P|1|sig", "the header has"),
        ]
        let file = try Self.temporaryFile([good] + bad.map(\.0))
        defer { try? FileManager.default.removeItem(at: file) }
        let (result, problems) = try CEFDictionaryCheck.check([file.path])
        #expect(result?.lines == 1 + bad.count && result?.failures == bad.count, "\(problems)")
        for (index, (_, message)) in bad.enumerated() {
            #expect(problems.contains("\(file.path):\(index + 2): ") && problems.contains(message), "\(message)")
        }
    }

    /// Random events of every category, and random beacon rows with addresses of every shape,
    /// each line within the dictionary.
    @Test func randomEventsOfEveryCategoryKeepToTheDictionary() throws {
        var random = SeededRandom()
        let formatter = try CEFFormatter(options: .init(), context: PluginContext(baseDirectory: "/"))
        let mapper = try FixtureEvents.mapper()
        var lines: [String] = []
        for id in Int64(1)...1_500 {
            var writer = RecordWriter()
            try formatter.encode(RandomSecurityEvents.event(id, &random), into: &writer)
            lines.append(String(decoding: writer.bytes, as: UTF8.self))
            let address = RandomSecurityEvents.addresses.randomElement(using: &random)!
            let row = BeaconRow(
                id: id, tokenID: RandomRows.randomValue(&random), fileID: RandomRows.randomValue(&random),
                recipientID: RandomRows.randomValue(&random), issuerID: RandomRows.randomValue(&random),
                kind: .text("http_img"), sourceIP: .text(UTF8Text(address)), userAgent: RandomRows.randomValue(&random),
                extra: RandomRows.randomExtra(&random),
                timestamp: .integer(Int64.random(in: 0...4_000_000_000, using: &random)),
                qualifiedTimestamp: RandomRows.randomValue(&random), tlogIndex: .integer(id))
            if let event = try? mapper.map(row) {
                writer.reset()
                try formatter.encode(event, into: &writer)
                lines.append(String(decoding: writer.bytes, as: UTF8.self))
            }
        }
        let file = try Self.temporaryFile(lines)
        defer { try? FileManager.default.removeItem(at: file) }
        let (result, problems) = try CEFDictionaryCheck.check([file.path])
        let check = try #require(result, "check-cef.py: \(problems)")
        #expect(check.lines == lines.count && check.failures == 0, "\(random.note): \(problems.prefix(3_000))")
    }
}
