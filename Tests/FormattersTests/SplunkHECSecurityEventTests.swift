import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// HEC envelopes of audit, threat and decision events, read back with Foundation's strict JSON
/// parser and held to HEC's rules ("Format events for HTTP Event Collector"): the envelope's
/// keys only, a numeric `time`, `fields` flat strings under names Splunk can index.
@Suite struct SplunkHECSecurityEventTests {
    func envelope(_ event: Event, _ options: SplunkHECFormatter.Options = .init()) throws -> [String: Any] {
        var writer = RecordWriter()
        try SplunkHECFormatter(options: options, context: PluginContext(baseDirectory: "/")).encode(
            event, into: &writer)
        return try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
    }

    func events() throws -> [Event] { try CanonicalFixtures.all().map(\.event) + SecurityTestEvents.all }

    @Test func conformsForEveryCategory() throws {
        #expect(SplunkHECFormatter.categories == EventCategory.allCases)
        #expect(FormatterConformance.problems(SplunkHECFormatter.self, events: try events()) == [])
    }

    @Test func everyEnvelopeKeepsToHECsFormat() throws {
        let metadata: Set = ["time", "host", "source", "sourcetype", "index", "event", "fields"]
        for event in try events() {
            let out = try envelope(event)
            #expect(Set(out.keys).isSubset(of: metadata), "\(event.eventID): \(out.keys.sorted())")
            #expect(out["time"] is NSNumber, "\(event.eventID)")
            #expect(out["event"] is [String: Any])
            let fields = try #require(out["fields"] as? [String: Any])
            for (name, value) in fields {
                #expect(value is String, "\(event.eventID): fields.\(name) must be a flat string")
                // Splunk field names: letters, digits and underscores, not starting with a digit
                // or an underscore (an initial `_` is Splunk's own, as in `_time`).
                #expect(name.wholeMatch(of: /[A-Za-z][A-Za-z0-9_]*/) != nil, "\(name)")
            }
            let payload = try #require(out["event"] as? [String: Any])
            #expect(
                Set(fields.keys).isDisjoint(with: payload.keys), "an indexed field shares a name with the payload")
            #expect(payload["event_id"] as? String == String(event.eventID))
            #expect(fields["oversight_category"] as? String == event.category.rawValue)
            #expect(fields["oversight_action"] as? String == event.action?.string)
            #expect(fields["oversight_outcome"] as? String == event.outcome.rawValue)
            #expect(fields["oversight_tenant"] as? String == event.tenant.flatMap { $0.isEmpty ? nil : $0.string })
        }
    }

    /// HEC's `<sec>.<ms>`, read back as a number: the event's time to the millisecond.
    @Test(arguments: [
        (Int64(1_772_600_800), Int32(0), "1772600800"), (1_772_600_800, 250_000_000, "1772600800.250"),
        (1_772_600_800, 1_000_000, "1772600800.001"), (1_772_600_800, 999_999_999, "1772600800.999"),
        (1_772_600_800, 999_999, "1772600800"), (0, 500_000_000, "0.500"), (-2, 250_000_000, "-1.750"),
        (-1, 999_000_000, "-0.001"), (-1, 0, "-1"),
    ])
    func timeIsEpochSecondsWithMilliseconds(seconds: Int64, nanos: Int32, expected: String) throws {
        var writer = RecordWriter()
        try SplunkHECFormatter(options: .init(), context: PluginContext(baseDirectory: "/")).encode(
            SecurityTestEvents.audit("config.read", seconds: seconds, nanos: nanos), into: &writer)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"time":\#(expected),"#), "\(text.prefix(40))")
        let time = try #require(
            try envelope(SecurityTestEvents.audit("config.read", seconds: seconds, nanos: nanos))["time"] as? Double)
        let exact = Double(seconds) + Double(nanos / 1_000_000) / 1_000
        #expect(abs(time - exact) < 0.000_5)
    }

    @Test func metadataDefaultsFollowTheCategoryAndOptionsOverrideThem() throws {
        let decision = SecurityTestEvents.decisions[1]
        let defaults = try envelope(decision)
        #expect(defaults["sourcetype"] as? String == "oversight:decision")
        #expect(defaults["source"] as? String == "acme-gateway")
        #expect(defaults["host"] == nil, "no host is known: HEC's input default applies")
        #expect(defaults["index"] == nil)
        var options = SplunkHECFormatter.Options()
        options.host = "h"
        options.source = "s"
        options.sourcetype = "acme:gateway"
        options.index = "security"
        let set = try envelope(decision, options)
        #expect(set["host"] as? String == "h")
        #expect(set["source"] as? String == "s")
        #expect(set["sourcetype"] as? String == "acme:gateway")
        #expect(set["index"] as? String == "security")
        // The beacon keeps what it always wrote.
        let beacon = try envelope(FormatterTestEvents.full)
        #expect(beacon["sourcetype"] as? String == "oversight:beacon")
        #expect(beacon["source"] as? String == "oversight:registry")
        #expect(beacon["host"] as? String == "reg")
        #expect(try envelope(FormatterTestEvents.full, options)["sourcetype"] as? String == "acme:gateway")
    }

    @Test(arguments: ["source", "sourcetype"])
    func anEmptySourceOrSourcetypeIsRefused(key: String) {
        var options = SplunkHECFormatter.Options()
        if key == "source" { options.source = "" } else { options.sourcetype = "" }
        #expect(throws: SIEMError.self) { try options.validate() }
    }

    @Test func payloadUsesCIMNamesWhereTheyMeanTheSame() throws {
        let event = try #require(try CanonicalFixtures.all().first { $0.name == "audit-login-failure-ipv6" }).event
        let payload = try #require(try envelope(event)["event"] as? [String: Any])
        #expect(payload["action"] as? String == "auth.login")
        #expect(payload["user"] as? String == "mallory")
        #expect(payload["src"] as? String == "2001:db8::17")
        #expect(payload["src_port"] as? Int == 40000)
        #expect(payload["dest"] as? String == "2001:db8::1")
        #expect(payload["dest_port"] as? Int == 443)
        #expect(payload["object"] as? String == "admin-console")
        #expect(payload["severity"] as? String == "medium")
        #expect(payload["severity_id"] as? Int == 3)
        #expect(payload["occurred_at"] as? String == "2026-03-04T05:06:09.250Z")
        #expect((payload["attributes"] as? [String: Any])?["reason"] as? String == "bad_password")
        let decision = try #require(try envelope(SecurityTestEvents.decisions[1])["event"] as? [String: Any])
        #expect(decision["verdict"] as? String == "DENY")
        #expect(decision["confidence"] as? Int == 70)
        let unknown = try envelope(SecurityTestEvents.decisions[0])
        #expect((unknown["event"] as? [String: Any])?["severity"] == nil)
        #expect((unknown["fields"] as? [String: String])?["oversight_severity"] == nil)
        #expect((unknown["event"] as? [String: Any])?["actor_service"] as? String == "agent-9")
    }
}
