import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

/// `siem-export run` reading the registry from PostgreSQL, as an operator runs it: the checkpoint
/// (a (txid, id) pair in the state file) never passes a row whose id commits late, and a second
/// run delivers exactly what the first could not.
///
/// Serialized, on a server of its own: the txid rule waits for every open writer in the cluster.
@Suite(.serialized) struct PostgresRunTests {
    @Test func aRunNeverPassesARowWhoseIDCommitsLate() throws {
        let server = try PostgresTestServer.shared("postgres-run")
        let database = try server.makeDatabase()
        try server.session(database: database).execute(PostgresRegistrySchema.ddl)
        let cli = try CLIHarness()
        let config = cli.path("siem.yaml")
        try """
        version: 1
        source:
          type: oversight_registry_postgres
          url: \(server.url(database: database))
          password: ${env:PGPASSWORD}
        mapper: {type: oversight_beacon, registry_id: reg}
        checkpoint: {path: state.sqlite}
        pipelines:
          - name: file
            formatter: {type: ecs}
            sink: {type: file, path: out.jsonl}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["PGPASSWORD": server.password]
        func insert(_ session: PostgresTestServer.Session, _ token: String) throws {
            try session.execute(
                "INSERT INTO events (token_id, kind, timestamp) VALUES ('\(token)', 'dns', 1700000000)")
        }
        func exported() throws -> [String] {
            let text = (try? String(contentsOfFile: cli.path("out.jsonl"), encoding: .utf8)) ?? ""
            return try text.split(separator: "\n").map { line in
                let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return (event?["event"] as? [String: Any])?["id"] as? String ?? "?"
            }
        }

        let a = try server.session(database: database)
        try a.execute("BEGIN")
        try insert(a, "a")  // id 1, open
        try insert(try server.session(database: database), "b")  // id 2, committed
        let first = try cli.run(["run", "--config", config], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try exported() == [], "b waits behind a's open transaction")

        try a.execute("COMMIT")
        try insert(try server.session(database: database), "c")  // id 3
        let second = try cli.run(["run", "--config", config], environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try exported() == ["1", "2", "3"])
        #expect(second.stderr.contains("checkpoint epoch "), "the checkpoint names its transaction: \(second.stderr)")

        let third = try cli.run(["run", "--config", config], environment: environment)
        #expect(third.status == 0)
        #expect(try exported() == ["1", "2", "3"], "nothing twice")
        #expect(!(first.stderr + second.stderr + third.stderr).contains(server.password))
    }
}
