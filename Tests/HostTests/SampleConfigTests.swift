import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// Every config shipped under config/ must be a valid config: the only errors allowed are about
/// the deployment paths it names (a registry at /var/lib/oversight/… does not exist here, nor a
/// PostgreSQL server at registry-db.example.internal).
@Suite struct SampleConfigTests {
    static let files =
        ((try? FileManager.default.contentsOfDirectory(
            atPath: RepositoryPaths.root.appendingPathComponent("config").path)) ?? []).filter { $0.hasSuffix(".yaml") }
        .sorted()

    @Test func thereIsOneSampleConfigPerTargetAndTheDemo() {
        #expect(
            Set(Self.files).isSuperset(of: [
                "demo.yaml", "splunk.yaml", "elastic.yaml", "sentinel.yaml", "splunk-hec.yaml", "elasticsearch.yaml",
                "sentinel-logs-ingestion.yaml", "sentinel-data-collector.yaml", "http.yaml",
            ]))
    }

    @Test(arguments: files)
    func sampleConfigIsValid(file: String) throws {
        let temporary = try TemporaryDirectory("siem-sample")
        let secrets = temporary.url
        let path = RepositoryPaths.root.appendingPathComponent("config/\(file)").path
        // The samples read the registry id from a secret file; point it somewhere that exists.
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "/etc/siem-export/registry-id", with: secrets.path + "/registry-id")
        try Data("sample-registry\n".utf8).write(to: secrets.appendingPathComponent("registry-id"))
        // Every ${env:NAME} a sample names gets a stand-in value (a valid base64 one).
        var environment: [String: String] = [:]
        for part in text.components(separatedBy: "${env:").dropFirst() {
            if let end = part.firstIndex(of: "}") { environment[String(part[..<end])] = "c2FtcGxlLXNlY3JldA==" }
        }
        let config = try ConfigLoader(environment: environment).parse(
            yaml: text, file: path, baseDirectory: RepositoryPaths.root.appendingPathComponent("config").path)
        #expect(config.diagnostics.isEmpty, "\(config.diagnostics)")
        do {
            _ = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(config)
        } catch let error as SIEMError {
            // A PostgreSQL server the sample names is not there either (unreachable: retryable).
            if case .locked = error, config.sources.contains(where: { $0.source.type.contains("postgres") }) {
                return
            }
            guard case .source = error else {
                Issue.record("\(file): \(error)")
                return
            }
        }
    }
}
