import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// OTLP log records of audit, threat and decision events, read back by OpenTelemetry's own
/// protobuf definitions through protobuf's strict JSON parser (`OpenTelemetryParser`).
@Suite struct OTLPSecurityLogRecordTests {
    func record(_ event: Event) throws -> [UInt8] {
        var writer = RecordWriter()
        try OTLPLogFormatter(options: .init(), context: PluginContext(baseDirectory: "/")).encode(event, into: &writer)
        return writer.bytes
    }

    /// The records framed as one request, as the `otlpLogs` framing sends them, then parsed.
    func parse(_ records: [[UInt8]]) throws -> [[String: Any]] {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for record in records {
            bytes += record + [UInt8(ascii: ",")]
            ends.append(bytes.count)
        }
        let batch = EncodedBatch(
            bytes: bytes, recordEnds: ends, eventIDs: records.indices.map { Int64($0) }, framing: .otlpLogs,
            origin: "acme-console", schema: "oversight-otlp-1",
            resource: [("service.name", "acme-console"), ("oversight.tenant.id", "acme")])
        let requests = try OpenTelemetryParser.parse(batch.lineOutput)
        #expect(requests.count == 1)
        return requests.first ?? []
    }

    func expectedTime(_ event: Event) -> String {
        guard event.occurredUnix >= 0, event.occurredUnix < 18_446_744_073 else { return "0" }
        let total = UInt64(event.occurredUnix) * 1_000_000_000 + UInt64(event.occurredNanos)
        return String(total)
    }

    @Test func conformsForEveryCategory() throws {
        #expect(OTLPLogFormatter.categories == EventCategory.allCases)
        let events = try CanonicalFixtures.all().map(\.event) + SecurityTestEvents.all
        #expect(FormatterConformance.problems(OTLPLogFormatter.self, events: events) == [])
    }

    /// Every golden record of the other categories, and every extra test event, is a valid
    /// LogRecord carrying the event's id, action, exact time, severity and body.
    @Test func everyRecordIsAValidOTLPLogRecordOfItsEvent() throws {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("otlp/oversight-otlp-1")
        let fixtures = try CanonicalFixtures.all()
        var records: [[UInt8]] = []
        for fixture in fixtures {
            let golden = Array(try Data(contentsOf: folder.appendingPathComponent(fixture.name + ".json")))
            #expect(golden == (try record(fixture.event)) + [0x0A], "\(fixture.name)")
            records.append(Array(golden.dropLast()))
        }
        let events = fixtures.map(\.event) + SecurityTestEvents.all
        records += try SecurityTestEvents.all.map(record)
        let parsed = try parse(records)
        #expect(parsed.count == events.count)
        for (event, record) in zip(events, parsed) {
            let name = "event \(event.eventID)"
            #expect(record["id"] as? String == String(event.eventID), "\(name)")
            #expect(record["name"] as? String == event.action?.string, "\(name)")
            #expect(record["time"] as? String == expectedTime(event), "\(name)")
            #expect(record["scope"] as? String == "oversight-otlp-1")
            #expect(record["body"] as? String == (event.message ?? event.action)?.string, "\(name)")
            let severity: [EventSeverity: (Int, String)] = [
                .informational: (9, "informational"), .low: (10, "low"), .medium: (13, "medium"),
                .high: (17, "high"), .critical: (18, "critical"),
            ]
            #expect(record["severity"] as? Int == severity[event.severity]?.0 ?? 0, "\(name)")
            #expect(record["severity_text"] as? String == severity[event.severity]?.1 ?? "", "\(name)")
            let values = try #require(record["values"] as? [String: [String: Any]])
            #expect(values["oversight.category"]?["stringValue"] as? String == event.category.rawValue)
            #expect(values["oversight.outcome"]?["stringValue"] as? String == event.outcome.rawValue)
            #expect(values["oversight.schema"]?["stringValue"] as? String == "oversight-otlp-1")
            let tenant = event.tenant.flatMap { $0.isEmpty ? nil : $0.string }
            #expect(values["oversight.tenant.id"]?["stringValue"] as? String == tenant, "\(name)")
            #expect(values["user.name"]?["stringValue"] as? String == event.actorUser?.string, "\(name)")
            let confidence = event.confidence.map { String($0) }
            #expect(values["oversight.confidence"]?["intValue"] as? String == confidence, "\(name)")
            let resource = try #require(record["resource"] as? [String: String])
            #expect(resource["oversight.tenant.id"] == "acme")
        }
    }

    /// Semantic conventions: client/server for request and response (audit, decisions),
    /// source/destination for threat signals, "when there is no client/server relationship".
    @Test func addressesAreClientServerOrSourceDestinationByCategory() throws {
        let fixtures = Dictionary(uniqueKeysWithValues: try CanonicalFixtures.all().map { ($0.name, $0.event) })
        let records = try parse([
            try record(try #require(fixtures["audit-login-failure-ipv6"])),
            try record(try #require(fixtures["threat-ioc-match"])),
            try record(try #require(fixtures["decision-deny"])),
        ])
        let keys = records.map { Set($0["keys"] as? [String] ?? []) }
        #expect(keys[0].isSuperset(of: ["client.address", "client.port", "server.address", "server.port"]))
        #expect(keys[0].isDisjoint(with: ["source.address", "destination.address"]))
        #expect(keys[1].isSuperset(of: ["source.address", "source.port", "destination.address", "destination.port"]))
        #expect(keys[1].isDisjoint(with: ["client.address", "server.address"]))
        #expect(keys[2].contains("client.address"))
        let values = try #require(records[0]["values"] as? [String: [String: Any]])
        #expect(values["client.port"]?["intValue"] as? String == "40000")
        #expect(values["oversight.attributes"]?["kvlistValue"] != nil)
        let deny = try #require(records[2]["values"] as? [String: [String: Any]])
        #expect(deny["oversight.verdict"]?["stringValue"] as? String == "DENY")
    }

    @Test(
        arguments: [
            (Int64(1_772_600_800), Int32(0), "1772600800000000000"), (1_772_600_800, 5, "1772600800000000005"),
            (1_772_600_800, 12_345_678, "1772600800012345678"), (0, 500_000_000, "500000000"), (0, 0, nil),
            (-1, 999_000_000, nil), (18_446_744_073, 709_551_615, "18446744073709551615"),
            (18_446_744_073, 709_551_616, nil),
        ] as [(Int64, Int32, String?)])
    func timeUnixNanoIsExactWhereTheFieldCanHoldIt(seconds: Int64, nanos: Int32, expected: String?) throws {
        let out = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try record(SecurityTestEvents.audit("config.read", seconds: seconds, nanos: nanos))))
                as? [String: Any])
        #expect(out["timeUnixNano"] as? String == expected)
    }
}
