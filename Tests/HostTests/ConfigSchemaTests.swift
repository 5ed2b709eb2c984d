import Foundation
import SIEMCore
import SIEMTestSupport
import Testing
import Yams

@testable import SIEMHost

/// `siem-export config-schema`, checked by an independent validator (jsonschema, draft 2020-12,
/// with PyYAML reading the configs: scripts/validate-config-schema.py).
@Suite struct ConfigSchemaTests {
    let cli: CLIHarness
    let schemaPath: String

    init() throws {
        cli = try CLIHarness()
        schemaPath = cli.path("siem-export.schema.json")
        let printed = try cli.run(["config-schema"])
        #expect(printed.status == 0, "\(printed.stderr)")
        try printed.stdout.write(toFile: schemaPath, atomically: false, encoding: .utf8)
    }

    func validate(_ configs: [String]) throws -> ExternalTool.Result {
        let script = RepositoryPaths.root.appendingPathComponent("scripts/validate-config-schema.py").path
        return try ExternalTool.run(["python3", script, schemaPath] + configs)
    }

    @Test func everyShippedConfigValidates() throws {
        let folder = RepositoryPaths.root.appendingPathComponent("config")
        let configs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
            .sorted().map { folder.appendingPathComponent($0).path }
        #expect(configs.count >= 10)
        let result = try validate(configs + [RepositoryPaths.root.appendingPathComponent("dist/siem-export.yaml").path])
        #expect(result.status == 0, "\(String(decoding: result.stdout, as: UTF8.self))\(result.stderr)")
    }

    @Test func aTypoedKeyAnUnknownTypeAndAnInlineCredentialFail() throws {
        let demo = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("config/demo.yaml"), encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("      path: ../demo/out/ecs.jsonl", "      pth: ../demo/out/ecs.jsonl", "'pth' was unexpected"),
            ("batch_size: 1000", "batchsize: 1000", "'batchsize' was unexpected"),
            ("      type: sentinel", "      type: sentinal", "'sentinal' is not one of"),
            (
                "      type: splunk_hec\n      schema: oversight-siem-1\n      index: oversight",
                "      type: splunk_hec\n      schema: oversight-siem-1\n      indx: oversight", "'indx' was unexpected"
            ),
        ]
        for (index, (original, typo, complaint)) in cases.enumerated() {
            #expect(demo.contains(original))
            let path = cli.path("typo-\(index).yaml")
            try demo.replacingOccurrences(of: original, with: typo).write(
                toFile: path, atomically: false, encoding: .utf8)
            let result = try validate([path])
            let output = String(decoding: result.stdout, as: UTF8.self)
            #expect(result.status == 1, "\(typo): \(output)\(result.stderr)")
            #expect(output.contains(complaint), "\(output)")
        }
        let inline = RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/configs/inline-credentials.yaml").path
        let refused = try validate([inline])
        #expect(refused.status == 1)
        #expect(String(decoding: refused.stdout, as: UTF8.self).contains("pipelines[0].sink.token"))
    }

    /// The schema's own keys are the loader's: the top level is `PipelineConfigFile.topLevelKeys`,
    /// and every pipeline key it declares the loader takes (an undeclared one it refuses).
    @Test func theLayoutMatchesWhatTheLoaderReads() throws {
        #expect(ConfigSchemaLayout.topLevel.map(\.name).sorted() == PipelineConfigFile.topLevelKeys.sorted())
        #expect(ConfigSchemaLayout.sourceEntry.map(\.name).sorted() == PipelineConfigFile.sourceEntryKeys.sorted())
        for key in ConfigSchemaLayout.pipeline.map(\.name) + ["no_such_key"]
        where !["name", "formatter", "sink"].contains(key) {
            let yaml = """
                version: 1
                source: {type: oversight_registry, path: r.sqlite}
                mapper: {type: oversight_beacon, registry_id: r}
                pipelines:
                  - {name: p, formatter: {type: ecs}, sink: {type: stdout}, \(key): {}}
                """
            let file = try ConfigLoader().parse(yaml: yaml, file: "c.yaml", baseDirectory: "/")
            let unknown = file.diagnostics.contains { $0.message.contains("unknown key '\(key)'") }
            #expect(unknown == (key == "no_such_key"), "\(key): \(file.diagnostics.map(\.description))")
        }
    }

    @Test func everyPluginAndOptionIsInTheSchema() throws {
        let schema = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: schemaPath))) as? [String: Any]
        )
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let definitions = try #require(schema["$defs"] as? [String: Any])
        let registry = BuiltInPlugins.registry
        let kinds: [(String, [PluginDescription])] = [
            ("source", registry.sources.values.map(\.description)),
            ("mapper", registry.mappers.values.map(\.description)),
            ("formatter", registry.formatters.values.map(\.description)),
            ("sink", registry.sinks.values.map(\.description)),
        ]
        for (kind, plugins) in kinds {
            for plugin in plugins {
                let node = definitions["\(kind).\(plugin.id)"] as? [String: Any]
                let properties = node?["properties"] as? [String: Any] ?? [:]
                #expect(Set(properties.keys).isSuperset(of: plugin.optionKeys + ["type"]), "\(kind) \(plugin.id)")
                #expect(node?["additionalProperties"] as? Bool == false)
            }
        }
        for preset in PipelinePresets.all.keys { #expect(definitions["preset.\(preset).sink"] != nil, "\(preset)") }
        let redact = try #require((definitions["redact"] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set(redact.keys) == Set(EventRedactor.Options.descriptions.map(\.key)))
    }
}
