import ArgumentParser
import Foundation
import SIEMCore

/// `siem-export demo-registry PATH --rows N`: a deterministic sample registry to try things on.
struct DemoRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-registry",
        abstract: "Write a deterministic sample beacon registry (the real events schema) for demos and benchmarks.",
        discussion: ExitCodes.help([ExitCodes.done, ExitCodes.usage, ExitCodes.cannotCreate]))

    @Argument(help: "The SQLite file to create; its directory is created if missing.")
    var path: String

    @Option(name: .long, parsing: .unconditional, help: "How many events to write.")
    var rows: Int = 2_000

    @Option(name: .long, parsing: .unconditional, help: "Seed of the generator; the same seed gives the same file.")
    var seed: UInt64 = 2026

    @Flag(name: .long, help: "Replace the file if it exists.")
    var force = false

    @Flag(name: .long, help: "No live status line on standard error (there is none when it is not a terminal).")
    var quiet = false

    func validate() throws {
        if rows < 0 { throw ValidationError("--rows must not be negative") }
    }

    func run() async throws {
        try await CLIErrorReporting.run {
            let manager = FileManager.default
            if manager.fileExists(atPath: path) {
                guard force else {
                    throw SIEMError.output(path: path, message: "already exists (use --force to replace it)")
                }
                for suffix in ["", "-wal", "-shm"] { try? manager.removeItem(atPath: path + suffix) }
            }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            let started = Date()
            let written = WrittenRows()
            let total = rows
            TerminalStatusLine.shared.start(enabled: !quiet && TerminalStatusLine.standardErrorIsTerminal) {
                ProgressText.rows(written.count, of: total, since: started, verb: "writing")
            }
            defer { TerminalStatusLine.shared.stop() }
            do {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try DemoRegistryWriter(rows: rows, seed: seed).write(to: path) { written.count = $0 }
            } catch let error as SIEMError {
                throw error
            } catch {
                throw SIEMError.output(path: path, message: "cannot write demo registry: \(error)")
            }
            TerminalStatusLine.shared.stop()
            StandardError.print(
                "wrote \(rows) demo event(s) to \(path) (registry id \(DemoRegistryWriter.demoRegistryID)) "
                    + ProgressText.closing(rows, unit: "rows", seconds: Date().timeIntervalSince(started)))
        }
    }
}

/// The writer's count, read by the status line's thread.
final class WrittenRows: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
