import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

@Suite struct SplunkHECFormatterTests {
    func encode(_ event: Event, _ options: SplunkHECFormatter.Options = .init()) throws -> [String: Any] {
        var writer = RecordWriter()
        try SplunkHECFormatter(options: options, context: PluginContext(baseDirectory: "/")).encode(
            event, into: &writer)
        return try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
    }

    @Test func conforms() {
        #expect(FormatterConformance.problems(SplunkHECFormatter.self, events: FormatterTestEvents.all) == [])
    }

    @Test func envelopeCarriesTimeHostEventAndIndexedFields() throws {
        let out = try encode(FormatterTestEvents.full)
        #expect(out["time"] as? Int == 1_735_000_000)
        #expect(out["host"] as? String == "reg")
        #expect(out["source"] as? String == "oversight:registry")
        #expect(out["sourcetype"] as? String == "oversight:beacon")
        #expect(out["index"] == nil)
        let event = try #require(out["event"] as? [String: Any])
        #expect(event["schema"] as? String == "oversight-siem-1")
        #expect(event["action"] as? String == "beacon-dns-callback")
        #expect(event["event_id"] as? String == "42")
        #expect(event["occurred_at"] as? String == "2024-12-24T00:26:40Z")
        #expect(event["tlog_index"] as? Int == 7)
        #expect((event["extra"] as? [String: Any])?["qname"] as? String == "abc.t.example.com")
        let fields = try #require(out["fields"] as? [String: String])
        #expect(
            fields == [
                "file_id": "file_xyz", "recipient_id": "rcpt_alice", "issuer_id": "issuer_zion", "beacon_kind": "dns",
            ])
    }

    @Test func optionsOverrideMetadata() throws {
        var options = SplunkHECFormatter.Options()
        options.host = "h"
        options.source = "s"
        options.sourcetype = "st"
        options.index = "main"
        let out = try encode(FormatterTestEvents.full, options)
        #expect(out["host"] as? String == "h")
        #expect(out["source"] as? String == "s")
        #expect(out["sourcetype"] as? String == "st")
        #expect(out["index"] as? String == "main")
    }

    @Test func emptyOptionalsAreOmittedAndEpochZeroKept() throws {
        let out = try encode(FormatterTestEvents.bare)
        #expect(out["time"] as? Int == 0)
        let event = try #require(out["event"] as? [String: Any])
        #expect(event["occurred_at"] as? String == "1970-01-01T00:00:00Z")
        for key in ["user_agent", "source_ip", "qualified_timestamp", "tlog_index", "extra", "token_id"] {
            #expect(event[key] == nil, "\(key)")
        }
        #expect(out["fields"] as? [String: String] == ["beacon_kind": "ocsp"])
    }

    @Test(arguments: ["Main", "_internal", "-x", "a b", ""])
    func refusesIndexNamesSplunkRefuses(_ name: String) {
        var options = SplunkHECFormatter.Options()
        options.index = name
        #expect(throws: SIEMError.self) { try options.validate() }
    }
}
