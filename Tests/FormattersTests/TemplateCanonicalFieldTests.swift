import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// A template addresses every canonical field by its canonical name, for events of every
/// category; a misspelt name is refused with the closest one.
@Suite struct TemplateCanonicalFieldTests {
    /// One member per field a template can name, and one per function.
    static func everyFieldFormatter() throws -> TemplateFormatter {
        let fields = TemplateField.Source.allCases.map { #"{"\#($0.rawValue)":"\#($0.rawValue)"}"# }
        let functions = [
            #"{"time_rfc3339":{"rfc3339":"time"}}"#, #"{"time_epoch":{"epoch":"time"}}"#,
            #"{"time_epoch_ms":{"epoch_ms":"time"}}"#, #"{"action_lower":{"lower":"action"}}"#,
            #"{"verdict_lower":{"lower":"verdict"}}"#, #"{"attributes_json":{"json":"attributes"}}"#,
        ]
        let options = try TemplateFormatter.Options.decode(
            from: JSONOptions(
                #"{"version":"every-field-1","fields":[\#((fields + functions).joined(separator: ","))]}"#))
        return try TemplateFormatter(options: options, context: PluginContext(baseDirectory: "/"))
    }

    /// Every key of the shared canonical fixtures (the canonical names) is a field name.
    @Test func everyCanonicalFixtureKeyIsAFieldName() throws {
        let names = Set(TemplateField.Source.allCases.map(\.rawValue))
        var keys: Set<String> = []
        let folder = CanonicalFixtures.directory
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            keys.formUnion(try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys)
        }
        #expect(keys.count >= 20)
        #expect(keys.subtracting(names).isEmpty, "not nameable: \(keys.subtracting(names).sorted())")
    }

    /// The template naming every field, for the beacon rows and the other categories' events,
    /// held under `Tests/Golden/template-every-field/template/`.
    @Test func aTemplateNamingEveryFieldMatchesItsGoldenFiles() throws {
        let formatter = try Self.everyFieldFormatter()
        let events = try FixtureEvents.all() + CanonicalFixtures.all().map { ($0.name, $0.event) }
        for (name, event) in events {
            let bytes = try FixtureEvents.record(formatter, event)
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(bytes.dropLast())) as? [String: Any])
            #expect(parsed["id"] as? String == String(event.eventID) && parsed["category"] as? String != nil, "\(name)")
            if let failure = GoldenFile.check(bytes, relativePath: "template-every-field/template/\(name).json") {
                Issue.record(Comment(rawValue: failure))
            }
        }
    }

    @Test func eachFieldIsWrittenInItsNaturalType() throws {
        let event = Event(
            category: .decision, eventID: 3, occurredUnix: 1_772_784_001, occurredNanos: 250_000_000, origin: "gw",
            action: "tool.call", tenant: "acme", outcome: .success, severity: .medium, actorUser: "bob",
            sourceIP: "10.2.0.9", sourcePort: 5_000, confidence: 90, verdict: .deny,
            attributes: JSONText(.object([("rule", .string("R-1"))])))
        var writer = RecordWriter()
        try Self.everyFieldFormatter().encode(event, into: &writer)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(
            parsed["time"] as? String == "2026-03-06T08:00:01.250Z"
                && parsed["occurred"] as? String == parsed["time"] as? String)
        #expect(
            parsed["time_epoch_ms"] as? Int64 == 1_772_784_001_250 && parsed["time_epoch"] as? Int64 == 1_772_784_001)
        #expect(parsed["severity"] as? String == "medium" && parsed["severity_id"] as? Int == 3)
        #expect(parsed["source_port"] as? Int == 5_000 && parsed["confidence"] as? Int == 90)
        #expect(parsed["verdict"] as? String == "DENY" && parsed["verdict_lower"] as? String == "deny")
        #expect((parsed["attributes"] as? [String: String]) == ["rule": "R-1"])
        #expect(parsed["tenant"] as? String == "acme" && parsed["actor_user"] as? String == "bob")
        #expect(parsed["kind"] == nil && parsed["token_id"] == nil && parsed["actor_service"] == nil)
    }

    @Test(arguments: [
        (#"[{"who":"actor_usr"}]"#, "unknown event field 'actor_usr' (did you mean 'actor_user'?)"),
        (#"[{"t":"tennant"}]"#, "(did you mean 'tenant'?)"),
        (#"[{"t":{"rfc333":"time"}}]"#, "unknown function 'rfc333' (did you mean 'rfc3339'?)"),
        (#"[{"t":{"lower":"confidence"}}]"#, "lower does not apply to 'confidence'"),
        (#"[{"t":{"epoch":"action"}}]"#, "epoch does not apply to 'action'"),
    ])
    func aMisspeltFieldOrFunctionIsRefusedWithTheClosestName(fields: String, message: String) throws {
        do {
            _ = try TemplateFormatter.Options.decode(from: JSONOptions(#"{"version":"v1","fields":\#(fields)}"#))
            Issue.record("\(fields) was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
