import ArgumentParser
import Foundation
import SIEMCore

/// `siem-export golden diff`: what an output change does to each record, field by field — for
/// a config's templates (recorded golden file against what the template renders now), or for
/// two golden files or folders of any formatter (`Tests/Golden/cef/oversight-cef-1` against a
/// new version, or `.build/golden-actual/…` after a failed test). Text for a terminal (coloured
/// there), Markdown for a pull-request comment. Exits 1 when anything differs, as `diff` does.
struct GoldenDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract:
            "Show field by field how records differ: a config's templates against their golden files, or two golden files or folders.",
        discussion: ExitCodes.help(
            [ExitCodes.done, ExitCodes.differs, ExitCodes.usage, ExitCodes.noInput, ExitCodes.config],
            note:
                "JSON records are compared by path (who.agent, tags[0]), CEF by header field and extension key, RFC 5424 syslog by header field, structured-data parameter and message path."
        ))

    @Option(name: .long, help: "Compare each template pipeline of this config with its golden file.")
    var config: String?

    @Argument(help: "Or: the recorded and the new golden file (or folder, files matched by name).")
    var paths: [String] = []

    @Option(name: .long, help: "text, or markdown (a table per file, for a pull-request comment).")
    var format: RecordDiffRendering.Format = .text

    @Option(name: .long, help: "auto (on a terminal, unless NO_COLOR is set), always or never; text only.")
    var color: DiffColor = .auto

    func validate() throws {
        if (config == nil) == (paths.count != 2) {
            throw ValidationError("give either --config FILE or two paths (OLD NEW)")
        }
    }

    func run() async throws {
        try await CLIErrorReporting.run {
            var pairs: [(title: String, diff: RecordDiff)] = []
            if let config {
                for template in try GoldenTemplates(configPath: config).pipelines {
                    guard let path = template.formatter.goldenPath else { continue }
                    let recorded = try Self.read(path)
                    let rendered = try GoldenTemplates.render(template.formatter)
                    let (oldHeader, old) = GoldenTemplates.split(recorded)
                    let (newHeader, new) = GoldenTemplates.split(rendered)
                    var diff = RecordDiff(recorded: old, rendered: new, firstLine: 2)
                    if oldHeader != newHeader {
                        let change = RecordDiff.Change(
                            kind: .changed, path: "(version)", old: oldHeader, new: newHeader)
                        diff.records.insert(.init(number: 0, line: 1, changes: [change]), at: 0)
                    }
                    pairs.append(("pipeline \(template.pipeline): \(path)", diff))
                }
            } else {
                pairs = try Self.compare(paths[0], paths[1])
            }
            let colored = format == .text && color.enabled(forDescriptor: STDOUT_FILENO)
            var differs = false
            for (title, diff) in pairs {
                differs = differs || !diff.isEmpty
                switch format {
                case .markdown:
                    print(RecordDiffRendering.markdown(diff, title: RecordDiffRendering.code(title)), terminator: "")
                case .text:
                    print(diff.isEmpty ? "\(title): no difference" : "\(title):")
                    if !diff.isEmpty {
                        print(RecordDiffRendering.text(diff, color: colored, indent: "  "), terminator: "")
                    }
                }
            }
            if differs { throw ExitCode(ExitCodes.differs.value) }
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SIEMError.source(path: path, message: "cannot read the golden file")
        }
        return Array(data)
    }

    /// Two files, or two folders file by file (a file on one side only: every record added or removed).
    static func compare(_ old: String, _ new: String) throws -> [(title: String, diff: RecordDiff)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: old, isDirectory: &isDirectory) else {
            throw SIEMError.source(path: old, message: "no such file or folder")
        }
        guard isDirectory.boolValue else {
            return [("\(old) → \(new)", try diff(read(old), read(new)))]
        }
        let names = { (folder: String) in
            Set((try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { !$0.hasPrefix(".") } ?? [])
        }
        guard FileManager.default.fileExists(atPath: new) else {
            throw SIEMError.source(path: new, message: "no such folder")
        }
        return names(old).union(names(new)).sorted().map { name in
            let a = FileManager.default.contents(atPath: old + "/" + name).map(Array.init) ?? []
            let b = FileManager.default.contents(atPath: new + "/" + name).map(Array.init) ?? []
            return (name, diff(a, b))
        }
    }

    static func diff(_ old: [UInt8], _ new: [UInt8]) -> RecordDiff {
        func lines(_ bytes: [UInt8]) -> [String] {
            var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init)
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        return RecordDiff(recorded: lines(old), rendered: lines(new))
    }
}

extension RecordDiffRendering.Format: ExpressibleByArgument {}
extension DiffColor: ExpressibleByArgument {}
