import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

/// The sample security streams end to end through the OCSF, CEF, syslog and template formatters:
/// `demo-data` writes each table, the sample config's source and mapper (config/audit.yaml,
/// threat.yaml, decisions.yaml) read it, and every output is checked by an independent judge —
/// the OCSF 1.8.0 schema with profiles, the CEF extension dictionary, a real rsyslog, and a strict
/// JSON parser.
@Suite(.serialized) struct DemoStreamsTextFormatTests {
    /// The sample config with its pipelines replaced by one per text-oriented formatter.
    static func config(_ stream: String, syslogPort: Int) throws -> String {
        let sample = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("config/\(stream).yaml"), encoding: .utf8)
        let head = try #require(sample.components(separatedBy: "\npipelines:").first)
        return head + """

            pipelines:
              - name: ocsf
                formatter: {type: ocsf, product_name: Demo App, vendor_name: Acme}
                sink: {type: file, path: ../demo/out/\(stream).ocsf.jsonl}
                redact: {}
              - name: cef
                formatter: {type: cef, device_product: Demo App}
                sink: {type: file, path: ../demo/out/\(stream).cef}
                redact: {}
              - name: syslog
                formatter: {type: syslog, hostname: app.example, app_name: demo-app}
                sink: {type: syslog, address: "127.0.0.1:\(syslogPort)", transport: tcp}
              - name: template
                formatter:
                  type: template
                  version: demo-1
                  fields:
                    - at: {rfc3339: time}
                    - tenant: tenant
                    - what: action
                    - result: outcome
                    - severity: severity
                    - who: [{user: actor_user}, {service: actor_service}]
                    - object: target
                    - verdict: verdict
                    - confidence: confidence
                    - details: attributes
                sink: {type: file, path: ../demo/out/\(stream).template.jsonl}

            """
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test(arguments: ["audit", "threat", "decisions"])
    func everyStreamPassesEveryTextFormatsJudge(stream: String) throws {
        let cli = try CLIHarness()
        let rsyslog = try RsyslogReceiver()
        defer { rsyslog.stop() }
        let rows = 300
        let made = try cli.run(["demo-data", stream, cli.path("demo/app.sqlite"), "--rows", "\(rows)"])
        try #require(made.status == 0, "\(made.stderr)")
        for folder in ["config", "demo/out"] {
            try FileManager.default.createDirectory(atPath: cli.path(folder), withIntermediateDirectories: true)
        }
        let configPath = cli.path("config/\(stream).yaml")
        try Self.config(stream, syslogPort: rsyslog.tcpPort).write(
            toFile: configPath, atomically: true, encoding: .utf8)
        let run = try cli.run(["run", "--config", configPath])
        // A few demo rows have a time that cannot be read: they are dead-lettered (exit 65).
        #expect([0, 65].contains(run.status), "\(run.stderr)")

        let ocsf = cli.path("demo/out/\(stream).ocsf.jsonl")
        let events = try Self.lines(ocsf).count
        #expect(events > rows * 9 / 10, "\(run.stderr)")
        let (validation, problems) = try OCSFValidator.validate([ocsf])
        #expect(validation?.events == events && validation?.failures == 0, "\(problems.prefix(3_000))")

        let cef = cli.path("demo/out/\(stream).cef")
        let (check, cefProblems) = try CEFDictionaryCheck.check([cef])
        #expect(check?.lines == events && check?.failures == 0, "\(cefProblems.prefix(3_000))")
        #expect(try Self.lines(cef).allSatisfy { $0.contains(" cs1Label=tenant cs1=acme ") })

        let received = rsyslog.messages(waitingFor: events)
        #expect(received.count == events)
        for message in received {
            let element = message.structuredData["event@32473"]
            #expect(element?["tenant"] == "acme" && element?["id"] != nil, "\(message)")
            #expect(message.hostname == "app.example" && message.appName == "demo-app")
        }

        let template = try Self.lines(cli.path("demo/out/\(stream).template.jsonl"))
        #expect(template.count == events)
        for line in template {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["tenant"] as? String == "acme" && object?["what"] != nil, "\(line)")
        }
    }
}
