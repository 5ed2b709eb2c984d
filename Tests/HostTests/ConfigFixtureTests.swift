import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// Each file under Tests/Fixtures/configs/ other than valid*.yaml is a broken config whose
/// `# expect:` lines must all appear among the diagnostics, with file, line and column.
@Suite struct ConfigFixtureTests {
    static let directory = RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/configs")
    static let brokenConfigs = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix("valid") }.sorted()

    static func diagnostics(for path: String, environment: [String: String] = [:]) -> [String]? {
        do {
            let config = try ConfigLoader(environment: environment).load(path: path)
            _ = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(config)
            return nil
        } catch let errors as ConfigErrors {
            return errors.diagnostics.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    @Test func thereAreBrokenConfigsToCheck() {
        #expect(Self.brokenConfigs.count >= 9)
    }

    @Test(arguments: brokenConfigs)
    func brokenConfigIsRefusedWithEveryExpectedDiagnostic(file: String) throws {
        let path = Self.directory.appendingPathComponent(file).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expectations = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map {
            String($0.dropFirst(10))
        }
        #expect(!expectations.isEmpty, "\(file) has no # expect: lines")
        let found = try #require(Self.diagnostics(for: path), "\(file) was accepted")
        let joined = found.joined(separator: "\n")
        for expectation in expectations {
            #expect(joined.contains(expectation), "\(file): missing «\(expectation)» in\n\(joined)")
        }
        #expect(found.allSatisfy { $0.hasPrefix(path) }, "every diagnostic names the file")
        for secret in ["0f3c2a1e-literal-token", "Bearer literal"] {
            #expect(!joined.contains(secret), "\(file): a diagnostic repeats a credential")
        }
    }

    @Test func validConfigAssemblesEveryPipelineWithItsOptions() throws {
        let temporary = try TemporaryDirectory("siem-valid")
        let dir = temporary.url
        let db = dir.appendingPathComponent("registry.sqlite").path
        try DemoRegistryWriter(rows: 3).write(to: db)
        let env = ["SIEM_TEST_DB": db, "SIEM_TEST_OUT": dir.path]
        let config = try ConfigLoader(environment: env).load(
            path: Self.directory.appendingPathComponent("valid.yaml").path)
        #expect(config.batchSize == 7)
        #expect(config.diagnostics.isEmpty)
        let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(config)
        #expect(assembled.pipelines.map(\.name) == ["splunk", "elastic", "sentinel"])
        #expect(assembled.pipelines.map(\.formatterID) == ["splunk_hec", "ecs", "sentinel"])
        #expect(
            assembled.pipelines.map(\.sink.destination)
                == ["splunk", "ecs", "sentinel"].map { dir.path + "/\($0).jsonl" })
        let stream = try #require(assembled.streams.first)
        #expect(assembled.streams.count == 1 && stream.name == nil)
        #expect(stream.checkpointPath == dir.path + "/state.sqlite")
        #expect(stream.source.identity == db)
        let mapped = try stream.mapper.map(
            RowBatch(beaconRows: [BeaconRow(id: 1, kind: .text("dns"), timestamp: .integer(0))]), row: 0)
        #expect(mapped.origin == "registry-from-a-secret-file")  // ${file:…}, trailing newline dropped
        var writer = RecordWriter()
        try assembled.pipelines[0].formatter.encode(mapped, into: &writer)
        let splunk = String(decoding: writer.bytes, as: UTF8.self)
        #expect(splunk.contains(#""host":"reg-01""#) && splunk.contains(#""index":"oversight""#))
        // A dry run opened nothing for writing.
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/ecs.jsonl"))
    }

    /// What was renamed still works, with a warning naming what to write now.
    @Test func aRenamedSinkTypeAndHECsOwnDeadLetterKeyStillWorkWithWarnings() throws {
        let temporary = try TemporaryDirectory("siem-deprecated")
        let db = temporary.appending("registry.sqlite").path
        try DemoRegistryWriter(rows: 3).write(to: db)
        let config = try ConfigLoader(environment: ["LA_KEY": "c2VjcmV0", "HEC_TOKEN": "t0k3n", "SIEM_TEST_DB": db])
            .load(
                path: Self.directory.appendingPathComponent("valid-deprecated.yaml").path)
        let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(config)
        #expect(assembled.pipelines.map(\.sinkID) == ["log_analytics_data_collector", "splunk_hec"])
        #expect(assembled.pipelines[1].deadLetterPath == Self.directory.appendingPathComponent("hec-dead.jsonl").path)
        let warnings = assembled.warnings.map(\.description)
        #expect(warnings.count == 2)
        #expect(
            warnings.contains {
                $0.hasSuffix(
                    "valid-deprecated.yaml:8:18: warning: pipelines[0].sink.type: sink type 'sentinel' is now 'log_analytics_data_collector' (the retired HTTP Data Collector API; Microsoft Sentinel's current route is azure_logs_ingestion)"
                )
            }, "\(warnings)")
        #expect(warnings.contains { $0.contains("pipelines[1].sink.dead_letter_path: deprecated") }, "\(warnings)")
    }

    @Test func aMissingConfigFileIsOneClearError() {
        let found = Self.diagnostics(for: "/nonexistent/siem.yaml")
        #expect(found == ["/nonexistent/siem.yaml: error: cannot read config: no such file"])
    }
}
