import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// Audit, threat and decision events as OCSF 1.8.0, checked by the published schema with the
/// profiles each event names (scripts/validate-ocsf.py), and the mapping's promises read back.
@Suite struct OCSFSecurityEventTests {
    static func formatter(_ configure: (inout OCSFFormatter.Options) -> Void = { _ in }) throws -> OCSFFormatter {
        var options = OCSFFormatter.Options()
        configure(&options)
        return try OCSFFormatter(options: options, context: PluginContext(baseDirectory: "/"))
    }

    static func parsed(_ event: Event, _ formatter: OCSFFormatter? = nil) throws -> [String: Any] {
        let bytes = try FixtureEvents.record(try formatter ?? Self.formatter(), event)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    static func fixture(_ name: String) throws -> Event {
        try #require(try CanonicalFixtures.all().first { $0.name == name }).event
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ocsf-\(UUID().uuidString).jsonl")
        try Data(bytes).write(to: url)
        return url
    }

    static func event(
        _ category: EventCategory, _ action: UTF8Text, user: UTF8Text? = nil, service: UTF8Text? = nil
    ) -> Event {
        Event(
            category: category, eventID: 9, occurredUnix: 1_772_600_767, origin: "console", action: action,
            actorUser: user, actorService: service)
    }

    @Test(arguments: [
        (EventCategory.audit, "auth.login", true, 3002, 1), (.audit, "auth.logout", true, 3002, 2),
        (.audit, "auth.login", false, 6003, 99), (.audit, "config.create", true, 6003, 1),
        (.audit, "data.read", false, 6003, 2), (.audit, "config.update", true, 6003, 3),
        (.audit, "Auth.Login", true, 6003, 99),
        (.audit, "user.delete", true, 6003, 4), (.audit, "config.reload", true, 6003, 99),
        (.threat, "ioc.match", false, 2004, 1), (.threat, "tls.weak_cipher", false, 2004, 1),
        (.decision, "tool.call", true, 2004, 1),
    ])
    func classAndActivityFollowCategoryAndAction(
        category: EventCategory, action: String, hasUser: Bool, classUID: Int, activityID: Int
    ) throws {
        let document = try Self.parsed(Self.event(category, UTF8Text(action), user: hasUser ? "alice" : nil))
        #expect(document["class_uid"] as? Int == classUID && document["activity_id"] as? Int == activityID)
        #expect(document["type_uid"] as? Int == classUID * 100 + activityID)
    }

    /// Random events of every category and kind, each valid OCSF 1.8.0 with its profiles.
    @Test func randomEventsOfEveryCategoryPassTheOCSF180Schema() throws {
        var random = SeededRandom()
        let formatter = try Self.formatter()
        var writer = RecordWriter()
        let count = 1_500
        for id in 1...count {
            try formatter.encode(RandomSecurityEvents.event(Int64(id), &random), into: &writer)
            writer.endRecord()
        }
        let file = try Self.temporaryFile(writer.bytes)
        defer { try? FileManager.default.removeItem(at: file) }
        let (result, problems) = try OCSFValidator.validate([file.path])
        let validation = try #require(result, "validator: \(problems)")
        #expect(validation.failures == 0, "\(random.note): \(problems.prefix(4_000))")
        #expect(validation.classes.values.reduce(0, +) == count)
        #expect(Set(validation.classes.keys) == ["6003", "3002", "2004"], "\(validation.classes)")
    }

    /// The validator holds each profile to its word: a decision's security-control attributes
    /// without the profile, an indicator without `osint`, a profile OCSF lacks, a wrong caption.
    @Test func theValidatorAppliesTheProfilesAnEventNames() throws {
        let deny = try Self.parsed(try Self.fixture("decision-deny"))
        let ioc = try Self.parsed(try Self.fixture("threat-ioc-match"))
        func with(_ document: [String: Any], _ change: (inout [String: Any]) -> Void) -> [String: Any] {
            var copy = document
            change(&copy)
            return copy
        }
        func metadata(_ document: inout [String: Any], profiles: [String]?) {
            var m = document["metadata"] as! [String: Any]
            m["profiles"] = profiles
            document["metadata"] = m
        }
        let mutations: [(String, [String: Any])] = [
            ("action_id without security_control", with(deny) { metadata(&$0, profiles: nil) }),
            ("osint without its profile", with(ioc) { metadata(&$0, profiles: nil) }),
            ("osint profile without osint", with(ioc) { $0["osint"] = nil }),
            ("a profile OCSF lacks", with(deny) { metadata(&$0, profiles: ["security_control", "gateway"]) }),
            ("wrong action caption", with(deny) { $0["action"] = "Allowed" }),
            ("wrong confidence caption", with(ioc) { $0["confidence"] = "Low" }),
            (
                "wrong osint type caption",
                with(ioc) {
                    var osint = ($0["osint"] as! [[String: Any]])[0]
                    osint["type"] = "IP Address"
                    $0["osint"] = [osint]
                }
            ),
        ]
        var lines = [deny, ioc].map { try! JSONSerialization.data(withJSONObject: $0) }
        lines += try mutations.map { try JSONSerialization.data(withJSONObject: $0.1) }
        let file = try Self.temporaryFile(Array(lines.map { $0 + Data("\n".utf8) }.joined()))
        defer { try? FileManager.default.removeItem(at: file) }
        let (result, problems) = try OCSFValidator.validate([file.path])
        let validation = try #require(result, "validator: \(problems)")
        #expect(validation.events == 2 + mutations.count && validation.failures == mutations.count, "\(problems)")
        for (line, (name, _)) in mutations.enumerated() {
            #expect(problems.contains("\(file.path):\(line + 3): "), "\(name) not caught: \(problems)")
        }
    }

    /// What a class requires and the event lacks is filled as documented: no actor → the origin
    /// as the acting application; no source → the service, else the name "unknown"; a logout
    /// with neither target nor destination → the origin as the service.
    @Test func requiredAttributesTheEventLacksGetTheDocumentedPlaceholders() throws {
        let minimal = try Self.parsed(try Self.fixture("audit-minimal"))
        #expect((minimal["actor"] as? [String: Any])?["app_name"] as? String == "acme-console")
        #expect((minimal["src_endpoint"] as? [String: String]) == ["name": "unknown"])
        let service = try Self.parsed(Self.event(.audit, "data.read", service: "reporting-job"))
        #expect((service["src_endpoint"] as? [String: String]) == ["svc_name": "reporting-job"])
        #expect((service["actor"] as? [String: String]) == ["app_name": "reporting-job"])
        let logout = try Self.parsed(try Self.fixture("audit-logout"))
        #expect((logout["service"] as? [String: String]) == ["name": "acme-console"])
        let serviceLogin = try Self.parsed(Self.event(.audit, "auth.login", service: "ci-bot"))
        #expect((serviceLogin["user"] as? [String: Any])?["type_id"] as? Int == 4)
    }

    /// Each canonical field in its attribute: time in milliseconds with the fraction, tenant,
    /// outcome as status, ports with their endpoint, confidence and its band, the verdict as the
    /// control's action and disposition, the rule as analytic and policy, the indicator as osint.
    @Test func mappingPutsEachCanonicalFieldWhereTheDocsSay() throws {
        let login = try Self.parsed(try Self.fixture("audit-login-failure-ipv6"))
        #expect(login["time"] as? Int64 == 1_772_600_769_250)
        #expect(login["status_id"] as? Int == 2 && login["severity_id"] as? Int == 3)
        let metadata = try #require(login["metadata"] as? [String: Any])
        #expect(metadata["tenant_uid"] as? String == "acme" && metadata["uid"] as? String == "acme-console:1002")
        #expect((login["src_endpoint"] as? [String: Any])?["port"] as? Int == 40_000)
        #expect((login["user"] as? [String: Any])?["name"] as? String == "mallory")

        let ioc = try Self.parsed(try Self.fixture("threat-ioc-match"))
        #expect(ioc["confidence_score"] as? Int == 85 && ioc["confidence_id"] as? Int == 3)
        #expect((ioc["metadata"] as? [String: Any])?["profiles"] as? [String] == ["osint"])
        let osint = try #require((ioc["osint"] as? [[String: Any]])?.first)
        #expect(osint["value"] as? String == "evil.example" && osint["type_id"] as? Int == 2)
        #expect(osint["vendor_name"] as? String == "acme-feed")
        #expect(ioc["is_alert"] as? Bool == true)

        let deny = try Self.parsed(try Self.fixture("decision-deny"))
        #expect(deny["action_id"] as? Int == 2 && deny["disposition_id"] as? Int == 2)
        #expect(((deny["finding_info"] as? [String: Any])?["analytic"] as? [String: Any])?["uid"] as? String == "R-1")
        #expect((deny["policy"] as? [String: String]) == ["name": "no-shell", "uid": "R-1"])
        #expect((deny["unmapped"] as? [String: Any])?["verdict"] as? String == "DENY")
        let escalate = try Self.parsed(try Self.fixture("decision-escalate"))
        #expect(escalate["action_id"] as? Int == 99 && escalate["action"] as? String == "Escalate")
        #expect(escalate["disposition_id"] == nil)
        #expect(try Self.parsed(try Self.fixture("threat-critical-ipv6"))["confidence"] as? String == "None")
    }

    /// `class` and `severity` concern beacon events; an audit or threat event carries its own.
    @Test func classAndSeverityOptionsConcernBeaconEventsOnly() throws {
        let other = try Self.formatter {
            $0.class = OCSFEventClass.detectionFinding.rawValue
            $0.severity = "critical"
        }
        for fixture in try CanonicalFixtures.all() {
            #expect(
                try FixtureEvents.record(try Self.formatter(), fixture.event)
                    == FixtureEvents.record(other, fixture.event), "\(fixture.name)")
        }
    }

    @Test func conformsToTheFormatterContractForEveryCategory() throws {
        var random = SeededRandom()
        let events =
            try CanonicalFixtures.all().map(\.event) + (1...200).map { RandomSecurityEvents.event($0, &random) }
        #expect(FormatterConformance.problems(OCSFFormatter.self, events: events) == [], "\(random.note)")
    }
}
