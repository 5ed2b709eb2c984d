import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

@Suite struct ECSFormatterTests {
    func encode(_ event: Event, _ options: ECSFormatter.Options = .init()) throws -> [String: Any] {
        var writer = RecordWriter()
        try ECSFormatter(options: options, context: PluginContext(baseDirectory: "/")).encode(event, into: &writer)
        return try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
    }

    @Test func conforms() {
        #expect(FormatterConformance.problems(ECSFormatter.self, events: FormatterTestEvents.all) == [])
    }

    @Test func documentHasTheCanonicalECSFields() throws {
        let out = try encode(FormatterTestEvents.full)
        #expect(out["@timestamp"] as? String == "2024-12-24T00:26:40Z")
        #expect((out["ecs"] as? [String: String])?["version"] == "8.11.0")
        let event = try #require(out["event"] as? [String: Any])
        #expect(event["kind"] as? String == "event")
        #expect(event["category"] as? [String] == ["network"])
        #expect(event["type"] as? [String] == ["access", "info"])
        #expect(event["dataset"] as? String == "oversight.beacon")
        #expect(event["action"] as? String == "beacon-dns-callback")
        #expect(event["id"] as? String == "42")
        #expect((out["source"] as? [String: String]) == ["address": "198.51.100.42", "ip": "198.51.100.42"])
        #expect((out["user_agent"] as? [String: String]) == ["original": "Mozilla/5.0"])
        #expect((out["labels"] as? [String: String])?["oversight_token_id"] == "tok_abc")
        let oversight = try #require(out["oversight"] as? [String: Any])
        #expect(oversight["registry_id"] as? String == "reg")
        #expect(oversight["tlog_index"] as? Int == 7)
    }

    @Test func emptySourceAndUserAgentObjectsAreOmittedWhole() throws {
        let out = try encode(FormatterTestEvents.bare)
        #expect(out["source"] == nil)
        #expect(out["user_agent"] == nil)
        #expect(out["@timestamp"] as? String == "1970-01-01T00:00:00Z")
    }

    @Test(arguments: [
        ("2001:db8::1", true), ("203.0.113.7", true), ("::ffff:192.0.2.1", true), ("unknown", false),
        ("10.0.0.1, 10.0.0.2", false), ("999.1.1.1", false), ("198.51.100.1:443", false), ("10.0.0.1\u{0}junk", false),
    ])
    func sourceAddressAlwaysAndSourceIPOnlyForAnAddress(value: String, isIP: Bool) throws {
        var event = FormatterTestEvents.full
        event.sourceIP = UTF8Text(value)
        let expected = isIP ? ["address": value, "ip": value] : ["address": value]
        #expect((try encode(event)["source"] as? [String: String]) == expected)
    }

    @Test func ecsVersionIsAnOptionLimitedToDocumentedReleases() throws {
        var options = ECSFormatter.Options()
        options.ecsVersion = "9.4.0"
        try options.validate()
        #expect((try encode(FormatterTestEvents.full, options)["ecs"] as? [String: String])?["version"] == "9.4.0")
        options.ecsVersion = "1.12.0"
        #expect(throws: SIEMError.self) { try options.validate() }
    }
}
