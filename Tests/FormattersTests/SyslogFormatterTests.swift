import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// RFC 5424 messages of audit, threat and decision events, field by field (rsyslog parses every
/// golden line in SyslogDeliveryTests).
@Suite struct SyslogFormatterTests {
    static func line(_ event: Event, _ configure: (inout SyslogFormatter.Options) -> Void = { _ in }) throws -> String {
        var options = SyslogFormatter.Options()
        configure(&options)
        try options.validate()
        var writer = RecordWriter()
        try SyslogFormatter(options: options, context: PluginContext(baseDirectory: "/")).encode(event, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func event(_ configure: (inout Event) -> Void = { _ in }) -> Event {
        var event = Event(
            category: .threat, eventID: 5, occurredUnix: 1_772_704_800, occurredNanos: 123_456_789, origin: "ti",
            action: "ioc.match", tenant: "acme", outcome: .success, severity: .high, confidence: 85)
        configure(&event)
        return event
    }

    /// PRI = facility × 8 + the event's severity on RFC 5424's scale; unknown takes the option.
    @Test(arguments: [
        (EventSeverity.informational, 6), (.low, 5), (.medium, 4), (.high, 3), (.critical, 2), (.unknown, 1),
    ])
    func priCarriesTheEventsSeverity(severity: EventSeverity, code: Int) throws {
        let line = try Self.line(Self.event { $0.severity = severity }) {
            $0.facility = "local0"
            $0.severity = "alert"
        }
        #expect(line.hasPrefix("<\(16 * 8 + code)>1 "), "\(line)")
        #expect(line.contains(" severity=\"\(severity.name)\""))
    }

    @Test func headerHasTheFractionTheActionAndTheTenantInStructuredData() throws {
        let line = try Self.line(Self.event()) { $0.hostname = "ti.example" }
        #expect(
            line.hasPrefix("<107>1 2026-03-05T10:00:00.123456Z ti.example oversight-registry - ioc.match [event@32473 ")
        )
        #expect(line.contains(#" tenant="acme" "#) && line.contains(#" confidence="85" "#))
        #expect(line.contains(#" origin="ti" schema="oversight-syslog-1"] "#))
        let long = try Self.line(Self.event { $0.action = UTF8Text("é.é" + String(repeating: "x", count: 40)) })
        #expect(long.contains(" __.__" + String(repeating: "x", count: 27) + " [event@"))
    }

    /// `event_sd_id` names the element; unset it is `event@` with the number of `sd_id`, which
    /// beacon events keep using.
    @Test func theElementIsNamedByEventSDIDOrFromTheEnterpriseNumberOfSDID() throws {
        #expect(try Self.line(Self.event()) { $0.sdID = "beacon@99999" }.contains(" [event@99999 id=\"5\""))
        #expect(try Self.line(Self.event()) { $0.eventSDID = "sec@1.2" }.contains(" [sec@1.2 id=\"5\""))
        let beacon = Event(eventID: 1, kind: "dns", occurredUnix: 0, registryID: "reg")
        #expect(try Self.line(beacon) { $0.eventSDID = "sec@1.2" }.contains(" [beacon@32473 id=\"1\""))
        for bad in ["sec", "sec@x", "a b@1", "@1"] {
            var options = SyslogFormatter.Options()
            options.eventSDID = bad
            #expect(throws: (any Error).self, "\(bad)") { try options.validate() }
        }
    }

    @Test func decisionsCarryTheirVerdictAndRule() throws {
        let line = try Self.line(
            Event(
                category: .decision, eventID: 3, occurredUnix: 0, origin: "gw", action: "tool.call", severity: .medium,
                actorUser: "bob", verdict: .deny,
                attributes: JSONText(.object([("rule.id", .string("R-1")), ("rule.name", .string("no \"shell\""))]))))
        #expect(line.contains(#" actor_user="bob" verdict="DENY" rule_id="R-1" rule_name="no \"shell\"" "#), "\(line)")
    }

    /// The message JSON, or in `text` mode the message (else action and outcome) on one line.
    @Test func theMessageIsTheEventAsJSONOrAShortText() throws {
        let json = try Self.line(Self.event { $0.message = "two\nlines" })
        let body = try #require(json.components(separatedBy: "\u{FEFF}").last)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(parsed["occurred_at"] as? String == "2026-03-05T10:00:00.123456789Z")
        #expect(parsed["tenant"] as? String == "acme" && parsed["severity"] as? String == "high")
        #expect(parsed["message"] as? String == "two\nlines")
        #expect(
            try Self.line(Self.event { $0.message = "two\nlines" }) { $0.message = .text }.hasSuffix(
                "\u{FEFF}two lines"))
        #expect(try Self.line(Self.event()) { $0.message = .text }.hasSuffix("\u{FEFF}ioc.match success"))
        #expect(try Self.line(Self.event()) { $0.message = .none }.hasSuffix("]"))
    }

    @Test func conformsToTheFormatterContractForEveryCategory() throws {
        var random = SeededRandom()
        let events =
            try CanonicalFixtures.all().map(\.event) + (1...200).map { RandomSecurityEvents.event($0, &random) }
        #expect(FormatterConformance.problems(SyslogFormatter.self, events: events) == [], "\(random.note)")
    }
}
