import Foundation
import SIEMCore
import SIEMFormatters

/// The `template` pipelines of a config, made for `golden check` and `golden diff`: only the
/// templates are checked, so a secret the checking machine lacks is no error.
struct GoldenTemplates {
    struct Pipeline {
        var pipeline: String
        var formatter: TemplateFormatter
    }

    var pipelines: [Pipeline] = []

    init(configPath: String) throws {
        let file = try ConfigLoader().load(path: configPath)
        let relevant = file.diagnostics.filter { diagnostic in
            file.pipelines.contains {
                $0.formatter.type == TemplateFormatter.id && diagnostic.path.hasPrefix($0.formatter.path)
            }
        }
        if !relevant.isEmpty { throw ConfigErrors(diagnostics: relevant) }
        for pipeline in file.pipelines where pipeline.formatter.type == TemplateFormatter.id {
            let decoding = YAMLOptionsDecoding(
                node: pipeline.formatter.options, file: file.path, path: pipeline.formatter.path)
            let options = try decoding.decodeOptions(TemplateFormatter.Options.self)
            let formatter = try TemplateFormatter(
                options: options, context: PluginContext(baseDirectory: file.baseDirectory))
            pipelines.append(Pipeline(pipeline: pipeline.name, formatter: formatter))
        }
        if pipelines.isEmpty { throw SIEMError.usage("\(configPath) has no pipeline with a `template` formatter") }
    }

    /// `# template <version>` and then one line per sample event.
    static func render(_ formatter: TemplateFormatter) throws -> [UInt8] {
        var writer = RecordWriter()
        writer.appendRaw(Array("# template \(formatter.version)\n".utf8))
        for event in SampleEvents.all {
            try formatter.encode(event, into: &writer)
            writer.endRecord()
        }
        return writer.bytes
    }

    /// A golden file's header (`# template <version>`) and its records.
    static func split(_ bytes: [UInt8]) -> (header: String?, records: [String]) {
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first, first.hasPrefix("# template ") else { return (nil, lines) }
        return (first, Array(lines.dropFirst()))
    }

    /// `acme-1` of a header `# template acme-1`.
    static func version(_ header: String?) -> String {
        guard let header else { return "no version" }
        return "version " + header.dropFirst("# template ".count)
    }

    struct Mismatch {
        var summary: String
        /// The field-level difference, one line per field.
        var details: String
        var diff: RecordDiff
        /// The version the golden file was recorded for, when the template now says another.
        var recordedVersion: String?
    }

    /// Nil when equal; else a one-line summary (what to do) and the field-level difference.
    static func mismatch(_ recorded: [UInt8], _ rendered: [UInt8], color: Bool) -> Mismatch? {
        guard recorded != rendered else { return nil }
        let (oldHeader, old) = split(recorded)
        let (newHeader, new) = split(rendered)
        let diff = RecordDiff(recorded: old, rendered: new, firstLine: 2)
        if oldHeader != newHeader {
            return Mismatch(
                summary:
                    "it holds \(version(oldHeader)), not \(version(newHeader)): review the output and record it with --update",
                details: diff.isEmpty ? "" : RecordDiffRendering.text(diff, color: color, indent: "  "), diff: diff,
                recordedVersion: version(oldHeader))
        }
        let first = diff.records.first?.line ?? 1
        return Mismatch(
            summary:
                "output differs at line \(first) (\(diff.records.count) of \(diff.compared) record(s)); bump `version` and re-record with --update",
            details: RecordDiffRendering.text(diff, color: color, indent: "  "), diff: diff)
    }

    /// One way a template no longer matches what pins it: `key` is the option at fault
    /// (`golden`, or `tests` with the test's index), `message` one line.
    struct Drift {
        var key: String
        var index: Int?
        var message: String
    }

    /// What `golden check` would fail on for this template, one line each: its golden file
    /// missing or differing, and each of its `tests:` that fails.
    static func drift(of formatter: TemplateFormatter) -> [Drift] {
        var found: [Drift] = []
        let update = "`siem-export golden check --update`"
        if let path = formatter.goldenPath {
            if let recorded = FileManager.default.contents(atPath: path) {
                do {
                    if let report = mismatch(Array(recorded), try render(formatter), color: false) {
                        let field = report.diff.records.first?.changes.first.map { ", first at field \($0.path)" } ?? ""
                        let message =
                            report.recordedVersion.map {
                                "\(path) holds \($0), not version \(formatter.version): review the output and record it with \(update)"
                            }
                            ?? "the template no longer renders what \(path) holds (\(report.diff.records.count) of \(report.diff.compared) record(s) differ\(field)): bump `version` and record it with \(update)"
                        found.append(Drift(key: "golden", message: message))
                    }
                } catch {
                    found.append(Drift(key: "golden", message: "the sample events cannot be rendered: \(error)"))
                }
            } else {
                found.append(Drift(key: "golden", message: "golden file \(path) is missing; record it with \(update)"))
            }
        }
        for (index, test) in formatter.tests.enumerated() {
            let changes: [RecordDiff.Change]
            do {
                changes = try testChanges(of: test, through: formatter)
            } catch {
                found.append(Drift(key: "tests", index: index, message: "test '\(test.name)' fails: \(error)"))
                continue
            }
            guard let change = changes.first else { continue }
            found.append(
                Drift(
                    key: "tests", index: index,
                    message: "test '\(test.name)' fails at field \(change.path)"
                        + (changes.count > 1 ? " and \(changes.count - 1) more" : "")
                        + "; `siem-export golden check` shows the difference"))
        }
        return found
    }

    /// The fields in which the record `formatter` makes of a test's event differs from the one
    /// expected; none when the test passes.
    static func testChanges(
        of test: TemplateTestCase, through formatter: TemplateFormatter
    ) throws
        -> [RecordDiff.Change]
    {
        var writer = RecordWriter()
        try formatter.encode(test.event, into: &writer)
        return testChanges(expected: test.expect, got: String(decoding: writer.bytes, as: UTF8.self))
    }

    /// A test's expected record against the one made, as JSON values (key order ignored): the
    /// fields that differ, none when it passes.
    static func testChanges(expected: JSONValue, got: String) -> [RecordDiff.Change] {
        let want = RecordFields.json(expected, path: "")
        let have = RecordFields.fields(of: got)
        guard Set(want.map { "\($0.path)\u{0}\($0.value)" }) != Set(have.map { "\($0.path)\u{0}\($0.value)" })
        else { return [] }
        return RecordDiff.changes(expected.jsonText, got).filter { $0.path != "(field order)" }
    }
}

/// `--color`: when the difference is coloured.
enum DiffColor: String, CaseIterable, Sendable {
    case auto, always, never

    /// `auto`: when `fd` is a terminal and `NO_COLOR` is not set (no-color.org).
    func enabled(forDescriptor fd: Int32) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            return isatty(fd) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
                && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        }
    }
}
