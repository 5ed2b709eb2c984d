import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// The YAML-defined formatter on its own: keys in the order written, functions, nested objects,
/// and a member left out (never null) when the event lacks what it names.
@Suite struct TemplateFormatterTests {
    /// A template written as `- key: value` lines, decoded as a config would decode it.
    func formatter(_ fields: String) throws -> TemplateFormatter {
        let options = try TemplateFormatter.Options.decode(
            from: JSONOptions(#"{"version":"acme-1","fields":\#(fields)}"#))
        return try TemplateFormatter(options: options, context: PluginContext(baseDirectory: "/"))
    }

    func render(_ formatter: TemplateFormatter, _ event: Event) throws -> String {
        var writer = RecordWriter()
        try formatter.encode(event, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func writesFieldsInOrderWithFunctionsAndNesting() throws {
        let formatter = try formatter(
            #"""
            [{"when":{"rfc3339":"occurred"}},{"ms":{"epoch_ms":"occurred"}},{"what":"action"},
             {"kind":{"lower":"kind"}},{"vendor":{"const":"Oversight"}},
             {"who":[{"ip":"source_ip"},{"agent":"user_agent"}]},{"extra_text":{"json":"extra"}},{"tlog":"tlog_index"}]
            """#)
        #expect(
            try render(formatter, FormatterTestEvents.full)
                == #"{"when":"2024-12-24T00:26:40Z","ms":1735000000000,"what":"beacon-dns-callback","kind":"dns","vendor":"Oversight","who":{"ip":"198.51.100.42","agent":"Mozilla/5.0"},"extra_text":"{\"qname\":\"abc.t.example.com\",\"qtype\":\"A\"}","tlog":7}"#
        )
    }

    @Test func leavesOutWhatTheEventLacksAndAnObjectLeftEmpty() throws {
        let formatter = try formatter(
            #"[{"id":"event_id"},{"who":[{"ip":"source_ip"},{"agent":"user_agent"}]},{"token":"token_id"}]"#)
        #expect(try render(formatter, FormatterTestEvents.bare) == #"{"id":"1"}"#)
    }

    @Test func refusesATemplateThatCannotBeWritten() throws {
        for (fields, message) in [
            ("[]", "must list at least one field"), (#"[{"a":"kind"},{"a":"action"}]"#, "key 'a' appears twice"),
        ] {
            do {
                _ = try formatter(fields)
                Issue.record("\(fields) was accepted")
            } catch let problems as OptionProblems {
                #expect(problems.description.contains(message), "\(problems)")
            }
        }
    }

    @Test func conformsToTheFormatterContract() throws {
        let options = try TemplateFormatter.Options.decode(
            from: JSONOptions(#"{"version":"acme-1","fields":[{"id":"event_id"},{"at":"occurred"}]}"#))
        let formatter = try TemplateFormatter(options: options, context: PluginContext(baseDirectory: "/"))
        for event in FormatterTestEvents.all {
            let parsed = try JSONSerialization.jsonObject(with: Data(try render(formatter, event).utf8))
            #expect((parsed as? [String: String])?["id"] == String(event.eventID))
        }
    }
}
