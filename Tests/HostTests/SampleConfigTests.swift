import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// Every config shipped under config/ validates as shipped: the file unchanged, through
/// `siem-export validate`, with the test environment documented at its top (`# Test
/// environment:` and `#   NAME=VALUE …` lines, or `none` for a sample that reads only ../demo/).
/// Placeholders: `<demo-registry>` (a demo registry made here), `<temp-dir>` (an empty directory),
/// `<config-dir>` (one holding a CA bundle for each `.pem` the sample names), `<secret>`, and
/// `<postgres-url>`/`<postgres-password>` (a PostgreSQL server started here with the registry schema).
/// A sample that stops validating, or documents no test environment, fails here.
@Suite struct SampleConfigTests {
    static let directory = RepositoryPaths.root.appendingPathComponent("config")
    static let files =
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }
        .sorted()

    /// A stand-in for every secret: valid base64, as some credentials must be.
    static let secret = "c2FtcGxlLXNlY3JldA=="

    @Test func thereIsOneSampleConfigPerTargetAndTheDemo() {
        #expect(
            Set(Self.files).isSuperset(of: [
                "demo.yaml", "splunk.yaml", "elastic.yaml", "sentinel.yaml", "splunk-hec.yaml", "elasticsearch.yaml",
                "sentinel-logs-ingestion.yaml", "sentinel-data-collector.yaml", "http.yaml",
            ]))
    }

    /// The `NAME=VALUE` pairs of the header's test environment; nil when the header has none.
    static func documentedEnvironment(_ text: String) -> [String: String]? {
        let header = text.split(separator: "\n").prefix { $0.hasPrefix("#") }
        guard let start = header.firstIndex(where: { $0.hasPrefix("# Test environment") }) else { return nil }
        if header[start].hasPrefix("# Test environment: none") { return [:] }
        var pairs: [String: String] = [:]
        // The description may run on over a line or two; the pairs are the indented lines after it.
        let rest = header[header.index(after: start)...].drop { !$0.hasPrefix("#   ") }
        for line in rest {
            guard line.hasPrefix("#   ") else { break }
            for word in line.dropFirst(4).split(separator: " ") {
                guard let equals = word.firstIndex(of: "=") else { continue }
                pairs[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
        }
        return pairs
    }

    @Test func theTestEnvironmentIsReadFromTheHeader() {
        let text =
            "# A sample.\n# Test environment (…\n# …):\n#   A=<secret> B=demo\n#   C=<temp-dir>\n# more\n#   D=x\nversion: 1\n"
        #expect(Self.documentedEnvironment(text) == ["A": "<secret>", "B": "demo", "C": "<temp-dir>"])
        #expect(Self.documentedEnvironment("# Test environment: none (…)\nversion: 1\n") == [:])
        #expect(Self.documentedEnvironment("# A sample.\nversion: 1\n# Test environment: none\n") == nil)
    }

    @Test(arguments: files)
    func sampleConfigValidatesAsShipped(file: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
        let documented = try #require(
            Self.documentedEnvironment(text), "\(file) documents no `# Test environment` at its top")

        // The layout of a checkout: config/ beside demo/, with what the sample reads.
        let cli = try CLIHarness()
        let manager = FileManager.default
        for directory in ["config", "demo/out", "state"] {
            try manager.createDirectory(atPath: cli.path(directory), withIntermediateDirectories: true)
        }
        try manager.copyItem(
            atPath: Self.directory.appendingPathComponent(file).path, toPath: cli.path("config/\(file)"))
        for companion in ["template.golden.jsonl"] where text.contains(companion) {
            try manager.copyItem(
                atPath: Self.directory.appendingPathComponent(companion).path, toPath: cli.path("config/\(companion)"))
        }
        let made = try cli.run(["demo-registry", "demo/registry.sqlite", "--rows", "50", "--quiet"])
        try #require(made.status == 0, "\(made.stderr)")
        if text.contains("app.sqlite") {
            for table in ["audit", "threat", "decisions"] {
                let data = try cli.run(["demo-data", table, "demo/app.sqlite", "--rows", "50"])
                try #require(data.status == 0, "\(data.stderr)")
            }
        }
        if text.contains("audit.jsonl") {
            try manager.copyItem(
                atPath: RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/jsonl/audit.jsonl").path,
                toPath: cli.path("demo/audit.jsonl"))
        }
        var postgres: (server: PostgresTestServer, database: String)?
        if documented.values.contains("<postgres-url>") {
            let server = try PostgresTestServer.shared("sample-configs")
            let database = try server.makeDatabase()
            try server.session(database: database).execute(PostgresRegistrySchema.ddl)
            postgres = (server, database)
        }

        // Each CA bundle the sample names under its configuration directory, as a real PEM.
        if documented.values.contains("<config-dir>") {
            try manager.createDirectory(atPath: cli.path("etc"), withIntermediateDirectories: true)
            let made = try TestCertificates.make()
            for part in text.components(separatedBy: "${env:CONFIGURATION_DIRECTORY:-/etc/siem-export}/").dropFirst() {
                let name = String(part.prefix { !$0.isWhitespace })
                try manager.copyItem(atPath: made.caFile, toPath: cli.path("etc/\(name)"))
            }
        }
        var environment: [String: String] = [:]
        for (name, value) in documented {
            switch value {
            case "<demo-registry>": environment[name] = cli.path("demo/registry.sqlite")
            case "<temp-dir>": environment[name] = cli.path("state")
            case "<config-dir>": environment[name] = cli.path("etc")
            case "<secret>": environment[name] = Self.secret
            case "<postgres-url>": environment[name] = postgres.map { $0.server.url(database: $0.database) }
            case "<postgres-password>": environment[name] = postgres?.server.password
            default:
                #expect(!value.hasPrefix("<"), "\(file): unknown placeholder \(value) for \(name)")
                environment[name] = value
            }
        }
        let result = try cli.run(["validate", "--config", "config/\(file)"], environment: environment)
        #expect(result.status == 0, "\(file): \(result.stderr)")
        #expect(result.stdout.hasPrefix("config/\(file): OK: "), "\(file): \(result.stdout)")
        // Where each source ends, in what its positions count: a followed file's are byte offsets.
        let end = text.contains("type: jsonl") ? "(lines up to offset " : "(rows up to "
        #expect(result.stdout.contains(end) || result.stdout.contains("(no rows yet)"), "\(file): \(result.stdout)")
        // A sample shows current usage: no deprecated key, no renamed type.
        #expect(!result.stderr.contains("warning:"), "\(file): \(result.stderr)")
    }
}
