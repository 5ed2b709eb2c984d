import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

struct DemoFormatter: EventFormatter {
    static let id = "demo_fmt"
    static let summary = "demo"
    static let schema: SchemaVersion = "demo-1"
    static let framings = FramingKind.documents
    static let aliases = ["demo"]

    struct Options: PluginOptions {
        var label = "x"
        var maxItems = 3
        var note: String?

        static let specs: [OptionSpec<Options>] = [
            .init("label", \.label, help: "help for label"),
            .init("max_items", \.maxItems, help: "help for max_items", range: 1...100),
            .init("note", \.note, help: "help for note"),
        ]
    }

    let options: Options
    init(options: Options, context: PluginContext) throws { self.options = options }
    func encode(_ event: Event, into out: inout RecordWriter) throws {
        out.beginObject()
        out.field("label", options.label)
        out.endObject()
    }
}

@Suite struct PluginRegistryTests {
    @Test func describesOptionsWithDefaultsReadOffInit() throws {
        var registry = PluginRegistry()
        registry.register(formatter: DemoFormatter.self)
        let description = try #require(registry.formatters["demo_fmt"]).description
        #expect(description.options.map(\.key) == ["label", "max_items", "note"])
        #expect(description.options.map(\.defaultValue) == ["x", "3", "none"])
        #expect(description.schema == "demo-1")
        #expect(description.typeName == "DemoFormatter")
    }

    @Test func findsFormattersByIdOrAlias() {
        var registry = PluginRegistry()
        registry.register(formatter: DemoFormatter.self)
        #expect(registry.formatter(named: "demo")?.description.id == "demo_fmt")
        #expect(registry.formatter(named: "demo_fmt") != nil)
        #expect(registry.formatter(named: "nope") == nil)
        #expect(registry.formatterNames == ["demo", "demo_fmt"])
    }

    @Test func makeDecodesOverridesAndValidates() throws {
        var registry = PluginRegistry()
        registry.register(formatter: DemoFormatter.self)
        let entry = try #require(registry.formatters["demo_fmt"])
        let made = try entry.make(
            options: JSONOptions(#"{"max_items": 9}"#), context: PluginContext(baseDirectory: "/"))
        let demo = try #require(made as? DemoFormatter)
        #expect(demo.options.maxItems == 9)
        #expect(demo.options.label == "x")
        do {
            try entry.check(options: JSONOptions(#"{"max_items": 0, "label": 5}"#))
            Issue.record("a bad value passed")
        } catch let problems as OptionProblems {
            // Every bad key at once, not only the first.
            #expect(problems.problems.map(\.key) == ["label", "max_items"])
            #expect(problems.problems.last?.message == "must be from 1 to 100")
        }
    }

    @Test func demoFormatterConforms() {
        let event = Event(eventID: 1, kind: "dns", occurredUnix: 0, registryID: "r")
        #expect(FormatterConformance.problems(DemoFormatter.self, events: [event]).isEmpty)
    }

    @Test func resolvesRelativePathsAgainstTheConfigDirectory() {
        let context = PluginContext(baseDirectory: "/srv/siem/config")
        #expect(context.resolve(path: "../demo/out.jsonl") == "/srv/siem/demo/out.jsonl")
        #expect(context.resolve(path: "./x/./y") == "/srv/siem/config/x/y")
        #expect(context.resolve(path: "/abs/path") == "/abs/path")
        #expect(context.resolve(path: "-") == "-")
    }

    @Test func errorsCarryWhatWhereAndExitCodes() {
        let error = SIEMError.source(path: "/x.sqlite", message: "database file not found")
        #expect(error.description == "database file not found (/x.sqlite)")
        #expect(error.exitCode == 66)
        #expect(SIEMError.config(location: "c.yaml:1:1", message: "bad").exitCode == 78)
        #expect(SIEMError.output(path: "/o", message: "full").exitCode == 73)
        #expect(SIEMError.badRow(id: 7, message: "m").description == "m (events row id 7)")
    }
}
