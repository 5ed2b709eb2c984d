import Foundation
import GRDB
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// `validate` for a `sqlite_table` source with a `table` mapper: the table is opened read-only
/// and every mapped column checked, each missing one reported at the key that names it.
@Suite struct TableSourceConfigTests {
    let temporary = try! TemporaryDirectory("siem-table")

    func config(_ fields: String) throws -> String {
        let db = temporary.appending("app.sqlite").path
        if !FileManager.default.fileExists(atPath: db) {
            try DatabaseQueue(path: db).write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER, action TEXT,
                            user_name TEXT, object TEXT, result TEXT, client_ip TEXT, summary TEXT, details TEXT)
                        """)
            }
        }
        let path = temporary.appending("audit.yaml").path
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
        \(fields)
        checkpoint: {path: state.sqlite}
        pipelines:
          - name: elastic
            formatter: {type: ecs}
            sink: {type: file, path: ecs.jsonl}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func diagnostics(_ path: String) throws -> [String] {
        do {
            _ = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(
                try ConfigLoader().load(path: path))
            return []
        } catch let errors as ConfigErrors {
            return errors.diagnostics.map(\.description)
        }
    }

    @Test func everyMissingColumnIsNamedAtItsKeyWithTheClosestColumn() throws {
        let path = try config(
            """
                time: {epoch: ts}
                action: action
                actor: username
                outcome: {column: reslt, map: {ok: success}}
            """)
        let found = try diagnostics(path)
        #expect(
            found.contains(
                "\(path):14:12: error: mapper.fields.actor: \(temporary.appending("app.sqlite").path)#audit_log has no column 'username' (did you mean 'user_name'?)"
            ), "\(found)")
        #expect(
            found.contains {
                $0.hasPrefix("\(path):15:14:") && $0.hasSuffix("has no column 'reslt' (did you mean 'result'?)")
            }, "\(found)")
        #expect(found.count == 2)
    }
}
