import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// The ECS documents of audit, threat and decision events, checked against Elastic's published
/// field definitions (`ECSFieldChecker`) and read back with Foundation's strict JSON parser.
@Suite struct ECSSecurityEventTests {
    func encode(_ event: Event) throws -> [UInt8] {
        var writer = RecordWriter()
        try ECSFormatter(options: .init(), context: PluginContext(baseDirectory: "/")).encode(event, into: &writer)
        return writer.bytes
    }

    func document(_ event: Event) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(try encode(event))) as? [String: Any])
    }

    func events() throws -> [Event] { try CanonicalFixtures.all().map(\.event) + SecurityTestEvents.all }

    @Test func conformsForEveryCategory() throws {
        #expect(ECSFormatter.categories == EventCategory.allCases)
        #expect(FormatterConformance.problems(ECSFormatter.self, events: try events()) == [])
    }

    /// Every field of every document, beacon golden files included, exists in ECS 8.11.0 and
    /// 9.4.0 with a value of its type, an allowed value and an expected category/type pair.
    @Test func everyFieldIsAnECSFieldOfItsType() throws {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("ecs/oversight-siem-1")
        let golden = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            Array(try Data(contentsOf: folder.appendingPathComponent($0))).filter { $0 != 0x0A }
        }
        let documents = golden + (try events().map(encode))
        let report = try ECSFieldChecker.check(documents)
        #expect(report.problems == [])
        #expect(report.documents == documents.count)
        #expect(report.fields > 20 * documents.count / 2)
    }

    /// The checker itself finds what Elasticsearch or Kibana would trip over.
    @Test func fieldCheckerRefusesWhatECSDoesNotDefine() throws {
        let bad = [
            #"{"@timestamp":"2026-01-01T00:00:00Z","ecs":{"version":"8.11.0"},"event":{"kind":"signal"}}"#,
            #"{"@timestamp":"x","ecs":{"version":"8.11.0"},"event":{"category":["api"],"type":["indicator"]}}"#,
            #"{"@timestamp":"2026-01-01T00:00:00Z","ecs":{"version":"8.11.0"},"event":{},"source":{"ip":"host"}}"#,
            #"{"@timestamp":"2026-01-01T00:00:00Z","ecs":{"version":"8.11.0"},"event":{},"user":{"nick":"x"}}"#,
            #"{"@timestamp":"2026-01-01T00:00:00Z","ecs":{"version":"8.11.0"},"event":{"severity":"3"}}"#,
        ]
        let report = try ECSFieldChecker.check(bad.map { Array($0.utf8) })
        for number in 1...bad.count {
            #expect(report.problems.contains { $0.hasPrefix("document \(number):") }, "document \(number)")
        }
    }

    @Test(
        arguments: [
            ("audit", "auth.login", nil, "event", "authentication", ["start"]),
            ("audit", "auth.logout", nil, "event", "authentication", ["end"]),
            ("audit", "config.create", nil, "event", "configuration", ["creation"]),
            ("audit", "config.read", nil, "event", "configuration", ["access"]),
            ("audit", "config.update.rules", nil, "event", "configuration", ["change"]),
            ("audit", "config.delete", nil, "event", "configuration", ["deletion"]),
            ("audit", "config.rename", nil, "event", "configuration", ["info"]),
            ("audit", "data.read", nil, "event", "database", ["access"]),
            ("audit", "data.delete", nil, "event", "database", ["change"]),
            ("audit", "data.export", nil, "event", "database", ["info"]),
            ("audit", "user.delete", nil, "event", "api", ["info"]),
            ("audit", "Auth.Login", nil, "event", "api", ["info"]),
            ("threat", "ioc.match", nil, "alert", "threat", ["indicator"]),
            ("threat", "tls.protocol_old", nil, "alert", "configuration", ["info"]),
            ("threat", "cert.expired", nil, "alert", "configuration", ["info"]),
            ("threat", "ioc.matched", nil, "alert", "intrusion_detection", ["info"]),
            ("decision", "tool.call", EventVerdict.allow, "alert", "api", ["allowed"]),
            ("decision", "tool.call", .deny, "alert", "api", ["denied"]),
            ("decision", "tool.call", .escalate, "alert", "api", ["info"]),
            ("decision", "tool.call", .rewrite, "alert", "api", ["allowed", "change"]),
            ("decision", "tool.call", nil, "alert", "api", ["info"]),
        ] as [(String, String, EventVerdict?, String, String, [String])])
    func categorizationFollowsTheClassificationContract(
        category: String, action: String, verdict: EventVerdict?, kind: String, ecsCategory: String, types: [String]
    ) throws {
        let event = Event(
            category: try #require(EventCategory(rawValue: category)), eventID: 1, occurredUnix: 1, origin: "o",
            action: UTF8Text(action), verdict: verdict)
        let fields = try #require(try document(event)["event"] as? [String: Any])
        #expect(fields["kind"] as? String == kind)
        #expect(fields["category"] as? [String] == [ecsCategory])
        #expect(fields["type"] as? [String] == types)
        #expect(fields["dataset"] as? String == "oversight.\(category)")
        #expect(fields["provider"] as? String == "o")
        #expect(fields["action"] as? String == action)
    }

    @Test(arguments: [
        (Int32(0), "2026-03-04T05:06:40Z"), (1, "2026-03-04T05:06:40.000000001Z"),
        (120_000_000, "2026-03-04T05:06:40.120Z"), (4_000, "2026-03-04T05:06:40.000004Z"),
        (123_456_789, "2026-03-04T05:06:40.123456789Z"),
    ])
    func timestampKeepsTheFractionOnlyWhenThereIsOne(nanos: Int32, expected: String) throws {
        let event = SecurityTestEvents.audit("config.read", seconds: 1_772_600_800, nanos: nanos)
        #expect(try document(event)["@timestamp"] as? String == expected)
    }

    @Test func canonicalFieldsLandInTheirECSHomes() throws {
        let event = try #require(try CanonicalFixtures.all().first { $0.name == "audit-login-failure-ipv6" }).event
        let out = try document(event)
        #expect((out["organization"] as? [String: String]) == ["id": "acme"])
        #expect((out["user"] as? [String: String]) == ["name": "mallory"])
        #expect(out["message"] as? String == "bad password for mallory")
        let source = try #require(out["source"] as? [String: Any])
        #expect(source["address"] as? String == "2001:db8::17")
        #expect(source["ip"] as? String == "2001:db8::17")
        #expect(source["port"] as? Int == 40000)
        let related = try #require(out["related"] as? [String: [String]])
        #expect(related == ["ip": ["2001:db8::17", "2001:db8::1"], "user": ["mallory"]])
        let fields = try #require(out["event"] as? [String: Any])
        #expect(fields["outcome"] as? String == "failure")
        #expect(fields["severity"] as? Int == 3)
        #expect(fields["id"] as? String == "1002")
        let oversight = try #require(out["oversight"] as? [String: Any])
        #expect(oversight["target"] as? String == "admin-console")
        #expect((oversight["attributes"] as? [String: Any])?["attempt"] as? Int == 3)
        #expect((out["labels"] as? [String: String])?["oversight_target"] == "admin-console")
    }

    @Test func confidenceVerdictAndServiceActorAreCustomFields() throws {
        let out = try document(SecurityTestEvents.decisions[1])
        let oversight = try #require(out["oversight"] as? [String: Any])
        #expect(oversight["confidence"] as? Int == 70)
        #expect(oversight["verdict"] as? String == "DENY")
        #expect((out["labels"] as? [String: String])?["oversight_verdict"] == "DENY")
        let service = try document(SecurityTestEvents.decisions[0])
        #expect((service["oversight"] as? [String: Any])?["actor_service"] as? String == "agent-9")
        #expect(service["user"] == nil)
        #expect((service["event"] as? [String: Any])?["severity"] == nil, "unknown severity is left out")
    }

    /// ECS: "unknown should not be used when an outcome doesn't make logical sense".
    @Test func anUnknownOutcomeIsWrittenForAuditAndDecisionsOnly() throws {
        let threat = Event(category: .threat, eventID: 1, occurredUnix: 1, origin: "o", action: "ioc.match")
        #expect((try document(threat)["event"] as? [String: Any])?["outcome"] == nil)
        let audit = Event(category: .audit, eventID: 1, occurredUnix: 1, origin: "o", action: "config.read")
        #expect((try document(audit)["event"] as? [String: Any])?["outcome"] as? String == "unknown")
    }

    @Test func emptyValuesAndNonAddressesAreLeftOut() throws {
        let out = try document(SecurityTestEvents.threats[2])
        #expect(out["organization"] == nil, "an empty tenant")
        #expect((out["source"] as? [String: Int]) == ["port": 4444], "a port without an address")
        #expect(out["related"] == nil)
        let sameHost = try document(SecurityTestEvents.threats[1])
        #expect((sameHost["related"] as? [String: [String]]) == ["ip": ["192.0.2.1"]], "each address once")
        let hostname = try document(SecurityTestEvents.threats[0])
        #expect((hostname["destination"] as? [String: Any])?["ip"] == nil)
        #expect((hostname["destination"] as? [String: Any])?["address"] as? String == "mail.acme.example")
    }
}
