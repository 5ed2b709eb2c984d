import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

// The formatter of docs/ADDING_A_TARGET.md, step 2, as written there (the test below fails when
// the two differ): it must compile and pass the checks every built-in formatter passes.
// BEGIN docs/ADDING_A_TARGET.md

/// Acme SIEM event JSON (docs.acme.example/ingest#event-format).
public struct AcmeSIEMFormatter: EventFormatter {
    public static let id = "acme"
    public static let summary = "Acme SIEM event JSON"
    public static let schema: SchemaVersion = "acme-1"
    /// JSON documents: one per line, in an array, or in an Elasticsearch `_bulk` body.
    public static let framings = FramingKind.documents

    public struct Options: PluginOptions {
        public var tenant = "default"  // every default, at its property

        // Every key once: its YAML name, its property, its help, its own rule.
        public static let specs: [OptionSpec<Options>] = [
            .init("tenant", \.tenant, help: "Acme tenant the events belong to", check: OptionRules.nonEmpty)
        ]

        public init() {}
    }

    let tenant: String
    public init(options: Options, context: PluginContext) throws { tenant = options.tenant }

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        out.beginObject()
        out.key("ts")
        out.rfc3339(event.occurredUnix)
        out.field("what", event.actionName)
        out.field("who", event.actorUser ?? event.beacon.recipientID)  // omitted when nil, never null
        out.field("tenant", tenant)
        out.endObject()
    }
}
// END docs/ADDING_A_TARGET.md

@Suite struct AddingATargetExampleTests {
    /// The code between the markers above, and the doc's first Swift block, without whitespace
    /// (swift-format may lay it out otherwise) or trailing commas.
    static func normalized(_ code: some StringProtocol) -> String {
        String(code.filter { !$0.isWhitespace }).replacingOccurrences(of: ",]", with: "]")
            .replacingOccurrences(of: ",)", with: ")")
    }

    @Test func theDocExampleIsThisFile() throws {
        let root = RepositoryPaths.root
        let doc = try String(contentsOf: root.appendingPathComponent("docs/ADDING_A_TARGET.md"), encoding: .utf8)
        let block = try #require(
            doc.components(separatedBy: "```swift\n").dropFirst().first?
                .components(separatedBy: "```").first)
        let here = try String(
            contentsOf: root.appendingPathComponent("Tests/FormattersTests/AddingATargetExampleTests.swift"),
            encoding: .utf8)
        let code = try #require(
            here.components(separatedBy: "// BEGIN docs/ADDING_A_TARGET.md\n").last?
                .components(separatedBy: "// END docs/ADDING_A_TARGET.md").first)
        #expect(Self.normalized(block) == Self.normalized("import SIEMCore\n" + code))
    }

    @Test func theExampleFormatterPassesTheConformanceChecks() throws {
        #expect(FormatterConformance.problems(AcmeSIEMFormatter.self, events: FormatterTestEvents.all) == [])
        var writer = RecordWriter()
        let formatter = try AcmeSIEMFormatter(options: .init(), context: PluginContext(baseDirectory: "/"))
        try formatter.encode(FormatterTestEvents.all[0], into: &writer)
        let record = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        #expect(record?["tenant"] as? String == "default")
        #expect(record?["ts"] is String && record?["what"] is String)
        #expect(!String(decoding: writer.bytes, as: UTF8.self).contains("null"))
    }
}
