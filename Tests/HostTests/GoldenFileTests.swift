import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// Every registered formatter's output, byte for byte, for every shared fixture row, held in
/// `Tests/Golden/<formatter-id>/<schema>/<case>.json`. A change of output without a new schema
/// version fails here; see docs/SCHEMAS.md for the review workflow.
@Suite struct GoldenFileTests {
    static let formatterIDs = BuiltInPlugins.registry.formatters.keys.sorted()

    /// Golden files of JSON formatters end in `.json`, of text-line formatters (CEF, syslog) `.txt`.
    static func fileExtension(_ framings: [FramingKind]) -> String { framings == [.lines] ? "txt" : "json" }

    /// Every schema version a formatter still writes has its folder: a config that pins an older
    /// one gets exactly that one's bytes.
    @Test(arguments: formatterIDs)
    func outputMatchesGoldenFiles(formatterID: String) throws {
        let entry = try #require(BuiltInPlugins.registry.formatters[formatterID])
        let cases = try FixtureRows.all()
        #expect(cases.count >= 20)
        let mapper = try FixtureEvents.mapper()
        for schema in entry.description.schemas {
            var context = PluginContext(baseDirectory: "/")
            context.schema = schema
            let formatter = try entry.make(
                options: try SampleFormatterOptions.options(for: formatterID), context: context)
            for fixture in cases {
                let bytes = try FixtureEvents.record(formatter, try mapper.map(fixture.row))
                let file = "\(formatterID)/\(schema)/\(fixture.name).\(Self.fileExtension(entry.description.framings))"
                if let failure = GoldenFile.check(bytes, relativePath: file) {
                    Issue.record(Comment(rawValue: failure))
                }
            }
        }
    }

    /// The other categories' events (`Tests/Fixtures/events/`), for each formatter that renders
    /// that category, under the same schema folder: `<category>-<case>.json`.
    @Test(arguments: formatterIDs)
    func otherCategoriesMatchGoldenFiles(formatterID: String) throws {
        let entry = try #require(BuiltInPlugins.registry.formatters[formatterID])
        let schema = try #require(entry.description.schema)
        let formatter = try entry.make(
            options: try SampleFormatterOptions.options(for: formatterID), context: PluginContext(baseDirectory: "/"))
        for fixture in try CanonicalFixtures.all() where entry.description.categories.contains(fixture.event.category) {
            let bytes = try FixtureEvents.record(formatter, fixture.event)
            let file = "\(formatterID)/\(schema)/\(fixture.name).\(Self.fileExtension(entry.description.framings))"
            if let failure = GoldenFile.check(bytes, relativePath: file) { Issue.record(Comment(rawValue: failure)) }
        }
    }

    @Test(arguments: formatterIDs)
    func everyGoldenFileHasAFixtureAndEveryFixtureAGoldenFile(formatterID: String) throws {
        let description = try #require(BuiltInPlugins.registry.formatters[formatterID]?.description)
        let schema = try #require(description.schema)
        for older in description.schemas.dropFirst() {
            let folder = GoldenFile.goldenRoot.appendingPathComponent("\(formatterID)/\(older.name)")
            let golden = Set(
                ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).map {
                    ($0 as NSString).deletingPathExtension
                })
            #expect(
                golden == Set(try FixtureRows.all().map(\.name)),
                "Tests/Golden/\(formatterID)/\(older): every beacon fixture")
        }
        let folder = GoldenFile.goldenRoot.appendingPathComponent("\(formatterID)/\(schema.name)")
        var isDirectory: ObjCBool = false
        #expect(
            FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue,
            "formatter \(formatterID) has no golden folder Tests/Golden/\(formatterID)/\(schema)")
        let golden = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).map {
                ($0 as NSString).deletingPathExtension
            })
        let categories = try #require(BuiltInPlugins.registry.formatters[formatterID]).description.categories
        let fixtures = Set(
            try FixtureRows.all().map(\.name)
                + CanonicalFixtures.all().filter { categories.contains($0.event.category) }.map(\.name))
        #expect(golden.subtracting(fixtures).isEmpty, "stale golden files: \(golden.subtracting(fixtures).sorted())")
        #expect(
            fixtures.subtracting(golden).isEmpty,
            "fixtures without golden files: \(fixtures.subtracting(golden).sorted())")
    }

    /// Batch bodies as receivers get them, pinned too: an OTLP request, a Sentinel array, an
    /// Elasticsearch `_bulk` body, an HEC body — the first three fixture events, framed.
    @Test(arguments: [
        ("otlp", Framing.otlpLogs, "json"), ("sentinel", .jsonArray, "json"),
        ("ecs", .elasticsearchBulk(index: "oversight-beacons"), "ndjson"), ("splunk_hec", .concatenated, "ndjson"),
    ])
    func batchEnvelopesMatchTheirGoldenFiles(formatterID: String, framing: Framing, fileExtension: String) throws {
        let entry = try #require(BuiltInPlugins.registry.formatters[formatterID])
        let schema = try #require(entry.description.schema)
        let formatter = try entry.make(options: EmptyOptions(), context: PluginContext(baseDirectory: "/"))
        let pipeline = AssembledPipeline(
            name: "golden", formatter: formatter, formatterID: formatterID, framing: framing, sink: InMemorySink(),
            sinkID: "memory")
        var writer = RecordWriter()
        let events = Array(try FixtureEvents.all().map(\.event).prefix(3))
        let (batch, _) = try BatchEncoder.encode(
            events, positions: events.map { SourcePosition(id: $0.eventID) }, after: nil, with: pipeline,
            writer: &writer)
        // What a network sink sends, and for OTLP what a file gets: the same request.
        let body = framing == .otlpLogs ? batch.lineOutput : batch.body(0..<batch.count)
        if framing == .otlpLogs { #expect(batch.body(0..<batch.count) + [0x0A] == body) }
        let file = "batches/\(framing.kind.rawValue)/\(formatterID)-\(schema.name).\(fileExtension)"
        if let failure = GoldenFile.check(body, relativePath: file) { Issue.record(Comment(rawValue: failure)) }
    }

    /// A formatter folder under Sources/Formatters must be registered in BuiltInPlugins.swift.
    @Test func everyFormatterFolderIsRegistered() throws {
        let sources = RepositoryPaths.root.appendingPathComponent("Sources/Formatters")
        let folders = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { name in
            var isDirectory: ObjCBool = false
            return name != "Common"
                && FileManager.default.fileExists(
                    atPath: sources.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        #expect(!folders.isEmpty)
        let typeNames = BuiltInPlugins.registry.formatters.values.map(\.description.typeName)
        for folder in folders {
            #expect(
                typeNames.contains { $0.hasPrefix(folder) }, "Sources/Formatters/\(folder) has no registered formatter")
        }
    }

    @Test func recordingModesWriteOnlyWhatTheyShould() throws {
        let path = "_mode-test-\(UUID().uuidString)/case.json"
        defer {
            try? FileManager.default.removeItem(
                at: GoldenFile.goldenRoot.appendingPathComponent(path).deletingLastPathComponent())
        }
        #expect(
            GoldenFile.check(Array("a\n".utf8), relativePath: path, mode: .verify)?.contains("no golden file") == true)
        #expect(GoldenFile.check(Array("a\n".utf8), relativePath: path, mode: .missing) == nil)
        #expect(GoldenFile.check(Array("b\n".utf8), relativePath: path, mode: .missing)?.contains("differs") == true)
        #expect(GoldenFile.check(Array("b\n".utf8), relativePath: path, mode: .all)?.contains("rewrote") == true)
        #expect(GoldenFile.check(Array("b\n".utf8), relativePath: path, mode: .verify) == nil)
    }
}

/// Options to make each registered formatter with in tests: its defaults, except for formatters
/// that need configuring (`template`), which take the sample config's (config/template.yaml).
enum SampleFormatterOptions {
    static func options(for formatterID: String) throws -> any OptionsDecoding {
        guard formatterID == "template" else { return EmptyOptions() }
        let file = try ConfigLoader().load(
            path: RepositoryPaths.root.appendingPathComponent("config/template.yaml").path)
        let node = try #require(file.pipelines.first { $0.formatter.type == "template" }).formatter
        return YAMLOptionsDecoding(node: node.options, file: file.path, path: node.path)
    }
}

/// An empty mapping: each plugin's defaults.
struct EmptyOptions: OptionsDecoding {
    var keys: [String] { [] }
    func decode<T: Decodable>(_ type: T.Type, forKey key: String) throws -> T {
        throw SIEMError.invalidOption(key: key, message: "absent")
    }
}
