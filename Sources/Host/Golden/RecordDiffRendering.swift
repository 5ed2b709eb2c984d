/// A `RecordDiff` written for a terminal (marks `+ - ~`, coloured when asked) or as Markdown for
/// a pull-request comment.
enum RecordDiffRendering {
    enum Format: String, CaseIterable, Sendable { case text, markdown }

    /// SGR colours (ECMA-48): green added, red removed, yellow changed.
    static func paint(_ text: String, _ kind: RecordDiff.Change.Kind, color: Bool) -> String {
        guard color else { return text }
        let code = kind == .added ? "32" : kind == .removed ? "31" : "33"
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    static func mark(_ kind: RecordDiff.Change.Kind) -> String {
        kind == .added ? "+" : kind == .removed ? "-" : "~"
    }

    /// ```
    /// record 2 (line 3):
    ///   ~ who.agent: "Mozilla/5.0" → "curl/8"
    ///   + who.host: "x"
    /// ```
    static func text(_ diff: RecordDiff, color: Bool, indent: String = "") -> String {
        var out = ""
        for record in diff.records {
            out += indent + (record.number == 0 ? "header" : "record \(record.number)") + " (line \(record.line)):\n"
            for change in record.changes {
                let body: String
                switch change.kind {
                case .added: body = "\(change.path): \(shorten(change.new ?? ""))"
                case .removed: body = "\(change.path): \(shorten(change.old ?? ""))"
                case .changed: body = "\(change.path): \(shorten(change.old ?? "")) → \(shorten(change.new ?? ""))"
                }
                out += indent + "  " + paint(mark(change.kind) + " " + body, change.kind, color: color) + "\n"
            }
        }
        out += "\(indent)\(diff.records.count) of \(diff.compared) record(s) differ\n"
        return out
    }

    /// A heading and one table row per changed field.
    static func markdown(_ diff: RecordDiff, title: String) -> String {
        var out = "#### \(title): \(diff.records.count) of \(diff.compared) record(s) differ\n\n"
        guard !diff.isEmpty else { return out }
        out += "| record | field | change | recorded | now |\n|---:|---|---|---|---|\n"
        for record in diff.records {
            for change in record.changes {
                out +=
                    "| \(record.number == 0 ? "header" : String(record.number)) | \(code(change.path)) | \(change.kind.rawValue) | \(change.old.map { code(shorten($0)) } ?? "") | \(change.new.map { code(shorten($0)) } ?? "") |\n"
            }
        }
        return out + "\n"
    }

    /// A Markdown code span that holds any text: fenced with more backticks than it contains,
    /// and `|` escaped so it stays inside its table cell (GitHub Flavored Markdown §4.10).
    static func code(_ text: String) -> String {
        var longest = 0
        var run = 0
        for c in text {
            run = c == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padded = text.hasPrefix("`") || text.hasSuffix("`") ? " \(text) " : text
        return fence + padded.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            + fence
    }

    static func shorten(_ text: String, to limit: Int = 160) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
