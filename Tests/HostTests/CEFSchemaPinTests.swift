import Foundation
import GRDB
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// A pin to `oversight-cef-1`, which renders beacon events only, is refused at `validate` for a
/// source of audit events, at the `schema:` key; the current version and beacon sources pass.
@Suite struct CEFSchemaPinTests {
    let temporary = try! TemporaryDirectory("siem-cef-pin")

    func config(schema: String?) throws -> String {
        let db = temporary.appending("app.sqlite").path
        if !FileManager.default.fileExists(atPath: db) {
            try DatabaseQueue(path: db).write { db in
                try db.execute(sql: "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, ts INTEGER, action TEXT)")
            }
        }
        let path = temporary.appending("audit-\(schema ?? "none").yaml").path
        try """
        version: 1
        source: {type: sqlite_table, path: app.sqlite, table: audit_log, cursor: seq}
        mapper:
          type: table
          category: audit
          tenant: acme
          fields: {time: {epoch: ts}, action: action}
        checkpoint: {path: state.sqlite}
        pipelines:
          - name: arcsight
            formatter:
              type: cef
        \(schema.map { "      schema: \($0)" } ?? "")
            sink: {type: file, path: out.cef}
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

    @Test func aPinToTheFirstVersionIsRefusedForAuditEventsAtItsKey() throws {
        let path = try config(schema: "oversight-cef-1")
        let found = try diagnostics(path)
        #expect(
            found == [
                "\(path):13:15: error: pipelines[0].formatter.schema: formatter 'cef' pinned to oversight-cef-1 renders beacon events, not the audit events its source yields; oversight-cef-2 renders them (see docs/SCHEMAS.md)"
            ], "\(found)")
        #expect(try diagnostics(try config(schema: "oversight-cef-2")) == [])
        #expect(try diagnostics(try config(schema: nil)) == [])
    }

    @Test func theRegistryKnowsWhatEachCEFVersionRenders() throws {
        let cef = try #require(BuiltInPlugins.registry.formatters["cef"]).description
        #expect(cef.categories(pinned: "oversight-cef-1") == [.beacon])
        #expect(cef.categories(pinned: "oversight-cef-2") == EventCategory.allCases)
        #expect(cef.categories(pinned: nil) == EventCategory.allCases)
    }
}
