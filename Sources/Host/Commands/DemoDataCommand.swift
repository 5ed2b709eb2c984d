import ArgumentParser
import Foundation
import SIEMCore

/// `siem-export demo-data audit|threat|decisions PATH`: a deterministic sample table of a
/// security stream to export with `config/audit.yaml`, `threat.yaml` or `decisions.yaml`.
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract:
            "Add a deterministic sample table to a SQLite file: an audit log (audit_log), threat findings (threat_findings) or a policy-decision outbox (policy_decisions)."
    )

    @Argument(help: "Which table: audit, threat or decisions.")
    var kind: String

    @Argument(help: "The SQLite file to add it to (created, with its directory, if missing).")
    var path: String

    @Option(name: .long, help: "How many rows to write.")
    var rows: Int = 2_000

    @Option(name: .long, help: "Seed of the generator; the same seed gives the same rows.")
    var seed: UInt64 = 2026

    @Flag(name: .long, help: "Replace the table if the file already has it.")
    var force = false

    func validate() throws {
        if rows < 0 { throw ValidationError("--rows must not be negative") }
        if DemoSecurityTable(rawValue: kind) == nil {
            let names = DemoSecurityTable.allCases.map(\.rawValue)
            throw ValidationError(
                "unknown table '\(kind)'; one of \(names.joined(separator: ", "))"
                    + Suggestion.hint(for: kind, in: names))
        }
    }

    func run() async throws {
        try await CLIErrorReporting.run {
            let table = DemoSecurityTable(rawValue: kind)!
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try table.write(rows: rows, seed: seed, to: path, replace: force)
            } catch let error as SIEMError {
                throw error
            } catch {
                throw SIEMError.output(path: path, message: "cannot write demo data: \(error)")
            }
            StandardError.print("wrote \(rows) row(s) to table \(table.tableName) in \(path)")
        }
    }
}
