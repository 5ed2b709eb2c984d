import Foundation
import GRDB
import SIEMCore
import SIEMTestSupport
import Testing

/// The issue's audit-log config, as written, exported by the built binary to the four JSON
/// targets at once, and each output read back by its independent checker: ECS by Elastic's field
/// definitions, OTLP by OpenTelemetry's protobuf definitions, Sentinel by the published table,
/// HEC by Foundation's strict parser. The fixture's secret is a test value.
@Suite(.serialized) struct AuditExportToJSONTargetsTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
        try DatabaseQueue(path: cli.path("app.sqlite")).write { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER, action TEXT,
                        user_name TEXT, object TEXT, result TEXT, client_ip TEXT, summary TEXT, details TEXT);
                    INSERT INTO audit_log (ts, action, user_name, object, result, client_ip, summary, details) VALUES
                        (1772600767, 'auth.login', 'alice', 'admin-console', 'ok', '203.0.113.9', 'alice signed in',
                         '{"mfa":true}'),
                        (1772600769, 'auth.login', 'mallory', 'admin-console', 'denied', '2001:db8::17',
                         'bad password', NULL),
                        (1772600800, 'config.update', 'Zoë', 'policy/egress', 'ok', 'vpn-gw', 'rules "changed"',
                         '{"added":2,"password":"hunter2"}'),
                        (1772600900, 'data.read', NULL, 'customers', 'ok', NULL, NULL, NULL);
                    """)
        }
        try """
        version: 1
        source:
          type: sqlite_table
          path: app.sqlite
          table: audit_log
          cursor: seq
        mapper:
          type: table
          category: audit
          tenant: acme
          fields:
            time: {epoch: ts}
            action: action
            actor: user_name
            target: object
            outcome: {column: result, map: {ok: success, denied: failure}}
            source_ip: client_ip
            message: summary
            attributes: {json: details}
          severity: {from_outcome: {success: info, failure: warning}}
        checkpoint: {path: state.sqlite}
        pipelines:
          - name: elastic
            formatter: {type: ecs}
            sink: {type: file, path: ecs.jsonl}
            redact: {}
          - name: sentinel
            formatter: {type: sentinel}
            sink: {type: file, path: sentinel.jsonl}
          - name: splunk
            formatter: {type: splunk_hec}
            sink: {type: file, path: hec.jsonl}
          - name: otel
            formatter: {type: otlp}
            sink: {type: file, path: otlp.jsonl}
        """.write(toFile: cli.path("audit.yaml"), atomically: true, encoding: .utf8)
    }

    func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: cli.path(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func objects(_ name: String) throws -> [[String: Any]] {
        try lines(name).map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func theIssuesConfigExportsToEveryJSONTarget() throws {
        let validate = try cli.run(["validate", "--config", cli.path("audit.yaml")])
        #expect(validate.status == 0, "\(validate.stderr)")
        let run = try cli.run(["run", "--config", cli.path("audit.yaml")])
        #expect(run.status == 0, "\(run.stderr)")

        let ecs = try lines("ecs.jsonl")
        #expect(ecs.count == 4)
        let report = try ECSFieldChecker.check(ecs.map { Array($0.utf8) })
        #expect(report.problems == [])
        let documents = try objects("ecs.jsonl")
        #expect(documents.allSatisfy { ($0["organization"] as? [String: String])?["id"] == "acme" })
        let failed = try #require(documents.dropFirst().first?["event"] as? [String: Any])
        #expect(failed["category"] as? [String] == ["authentication"])
        #expect(failed["outcome"] as? String == "failure")
        #expect(failed["severity"] as? Int == 3, "failure → warning = medium")
        // Redaction (asked for by this pipeline only) reaches the new categories' attributes.
        let redacted = try #require(documents[2]["oversight"] as? [String: Any])
        #expect((redacted["attributes"] as? [String: Any])?["password"] as? String == "[redacted]")
        let plain = try #require(try objects("hec.jsonl")[2]["event"] as? [String: Any])
        #expect((plain["attributes"] as? [String: Any])?["password"] as? String == "hunter2")

        let sentinel = try objects("sentinel.jsonl")
        #expect(sentinel.map { $0["EventType"] as? String } == ["Logon", "Logon", "Set", "Read"])
        #expect(sentinel.allSatisfy { $0["Tenant"] as? String == "acme" })
        #expect(sentinel[2]["SrcHostname"] as? String == "vpn-gw")

        let hec = try objects("hec.jsonl")
        #expect(hec.allSatisfy { $0["sourcetype"] as? String == "oversight:audit" })
        #expect(hec.allSatisfy { ($0["fields"] as? [String: String])?["oversight_tenant"] == "acme" })

        let requests = try OpenTelemetryParser.parse(Array(try lines("otlp.jsonl").joined(separator: "\n").utf8))
        let records = requests.flatMap { $0 }
        #expect(records.count == 4)
        #expect(records.map { $0["name"] as? String } == ["auth.login", "auth.login", "config.update", "data.read"])
        #expect(records.allSatisfy { ($0["resource"] as? [String: String])?["oversight.tenant.id"] == "acme" })
    }
}
