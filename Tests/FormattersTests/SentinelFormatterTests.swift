import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

@Suite struct SentinelFormatterTests {
    func encode(_ event: Event) throws -> [String: Any] {
        var writer = RecordWriter()
        try SentinelFormatter(options: .init(), context: PluginContext(baseDirectory: "/")).encode(event, into: &writer)
        return try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
    }

    @Test func conforms() {
        #expect(FormatterConformance.problems(SentinelFormatter.self, events: FormatterTestEvents.all) == [])
    }

    @Test func flatRowWithKQLFriendlyColumns() throws {
        let out = try encode(FormatterTestEvents.full)
        #expect(out["TimeGenerated"] as? String == "2024-12-24T00:26:40Z")
        #expect(out["BeaconKind"] as? String == "dns")
        #expect(out["EventId"] as? String == "42")
        #expect(out["TokenId"] as? String == "tok_abc")
        #expect(out["TlogIndex"] as? Int == 7)
        #expect(out.values.allSatisfy { !($0 is [String: Any]) && !($0 is [Any]) }, "every column is a scalar")
        let extra = try #require(out["ExtraJson"] as? String)
        #expect(extra == #"{"qname":"abc.t.example.com","qtype":"A"}"#)
        #expect(out.keys.allSatisfy { !$0.hasPrefix("@") })
    }

    @Test func absentFieldsAreOmittedNotNull() throws {
        let out = try encode(FormatterTestEvents.bare)
        #expect(Set(out.keys) == ["TimeGenerated", "Schema", "RegistryId", "EventId", "BeaconKind", "Action"])
    }
}
