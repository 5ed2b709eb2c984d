import Foundation
import SIEMFormatters
import SIEMTestSupport
import Testing

/// `siem-export export` of the demo registry, read back by the targets' own parsers: the OCSF
/// 1.8.0 schema and OpenTelemetry's protobuf definitions.
@Suite struct ExportCommandTests {
    @Test func cliExportOfTheDemoRegistryPassesForBothClasses() throws {
        let cli = try CLIHarness()
        let db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "400"])
        var files: [String] = []
        for eventClass in OCSFEventClass.allCases {
            let run = try cli.run([
                "export", "--db", db, "--format", "ocsf", "--ocsf-class", eventClass.rawValue, "--registry-id", "reg",
                "--output", cli.path("\(eventClass.rawValue).jsonl"),
            ])
            #expect(run.status == 0, "\(run.stderr)")
            files.append(cli.path("\(eventClass.rawValue).jsonl"))
        }
        let (result, problems) = try OCSFValidator.validate(files)
        let validation = try #require(result, "validator: \(problems)")
        #expect(validation.failures == 0, "\(problems)")
        #expect(validation.classes == ["4001": 400, "2004": 400])

        let wrong = try cli.run([
            "export", "--db", db, "--format", "ocsf", "--ocsf-class", "security_finding",
            "--registry-id", "reg",
        ])
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("deprecated since OCSF 1.1.0"), "\(wrong.stderr)")
    }

    @Test func exportWritesOneRequestPerBatchPerLine() throws {
        let cli = try CLIHarness()
        let db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "25"])
        let run = try cli.run([
            "export", "--db", db, "--format", "otlp", "--registry-id", "reg", "--batch-size", "10", "--order", "id",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let requests = try OpenTelemetryParser.parse(Array(run.stdout.utf8))
        #expect(requests.map(\.count) == [10, 10, 5])
        #expect(requests.flatMap { $0 }.map { $0["id"] as? String } == (1...25).map { "\($0)" })
    }
}
