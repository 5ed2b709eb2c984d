import Foundation
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// `siem-export golden diff` and a template's own `tests:`: what a reviewer reads when an output
/// changes, field by field, and what fails when a template stops making what it promised.
@Suite(.serialized) struct GoldenDiffTests {
    let cli: CLIHarness

    init() throws {
        cli = try CLIHarness()
        for name in ["template.yaml", "template.golden.jsonl"] {
            try FileManager.default.copyItem(
                atPath: RepositoryPaths.root.appendingPathComponent("config/\(name)").path, toPath: cli.path(name))
        }
    }

    func edit(_ change: (String) -> String) throws {
        let text = try String(contentsOfFile: cli.path("template.yaml"), encoding: .utf8)
        try change(text).write(toFile: cli.path("template.yaml"), atomically: false, encoding: .utf8)
    }

    @Test func aTemplateChangeIsShownFieldByFieldAsTextAndAsMarkdown() throws {
        let same = try cli.run(["golden", "diff", "--config", cli.path("template.yaml")])
        #expect(same.status == 0)
        #expect(same.stdout == "pipeline acme: \(cli.path("template.golden.jsonl")): no difference\n")

        try edit {
            $0.replacingOccurrences(of: "- agent: user_agent", with: "- agent: {lower: user_agent}")
                .replacingOccurrences(of: "- token: token_id", with: "- token_ref: token_id")
        }
        let text = try cli.run(["golden", "diff", "--config", cli.path("template.yaml")])
        #expect(text.status == 1, "like diff(1): 1 when something differs")
        #expect(!text.stdout.contains("\u{1B}"), "no colour when standard output is not a terminal")
        #expect(
            text.stdout.contains(
                """
                  record 1 (line 2):
                    ~ who.agent: "Mozilla/5.0" → "mozilla/5.0"
                    - token: "tok_abc"
                    + token_ref: "tok_abc"
                """))
        #expect(text.stdout.hasSuffix("  3 of 5 record(s) differ\n"))

        let colored = try cli.run(["golden", "diff", "--config", cli.path("template.yaml"), "--color", "always"])
        #expect(colored.stdout.contains("\u{1B}[33m~ who.agent: "))
        #expect(colored.stdout.contains("\u{1B}[31m- token: ") && colored.stdout.contains("\u{1B}[32m+ token_ref: "))

        let markdown = try cli.run(["golden", "diff", "--config", cli.path("template.yaml"), "--format", "markdown"])
        #expect(markdown.status == 1)
        #expect(markdown.stdout.contains("| record | field | change | recorded | now |\n|---:|---|---|---|---|\n"))
        #expect(markdown.stdout.contains(#"| 1 | `who.agent` | changed | `"Mozilla/5.0"` | `"mozilla/5.0"` |"#))
        #expect(markdown.stdout.contains(#"| 2 | `token` | removed | `"tok_def"` |  |"#))

        // The check names the line and shows the same difference.
        let check = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(check.status == 1)
        #expect(check.stderr.contains("~ who.agent: \"Mozilla/5.0\" → \"mozilla/5.0\""))
    }

    @Test func cefAndSyslogRecordsAreComparedByFieldAndKey() throws {
        let golden = RepositoryPaths.root.appendingPathComponent("Tests/Golden")
        for folder in ["old", "new"] {
            try FileManager.default.createDirectory(atPath: cli.path(folder), withIntermediateDirectories: true)
        }
        let cef = try String(
            contentsOf: golden.appendingPathComponent("cef/oversight-cef-1/dns-full.txt"), encoding: .utf8)
        let syslog = try String(
            contentsOf: golden.appendingPathComponent("syslog/oversight-syslog-1/dns-full.txt"), encoding: .utf8)
        try cef.write(toFile: cli.path("old/a.txt"), atomically: false, encoding: .utf8)
        try syslog.write(toFile: cli.path("old/b.txt"), atomically: false, encoding: .utf8)
        try cef.replacingOccurrences(of: "|5|", with: "|7|").replacingOccurrences(of: " suser=rcpt_alice", with: "")
            .write(toFile: cli.path("new/a.txt"), atomically: false, encoding: .utf8)
        try syslog.replacingOccurrences(of: #"kind="dns""#, with: #"kind="d\"ns""#)
            .replacingOccurrences(of: #""event_id":"42""#, with: #""event_id":42"#)
            .write(toFile: cli.path("new/b.txt"), atomically: false, encoding: .utf8)
        let result = try cli.run(["golden", "diff", cli.path("old"), cli.path("new")])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("a.txt:\n  record 1 (line 1):\n    ~ severity: 5 → 7\n    - ext.suser: rcpt_alice\n")
        )
        #expect(result.stdout.contains("    ~ sd.beacon@32473.kind: dns → d\"ns\n"))
        #expect(result.stdout.contains(#"    ~ msg.event_id: "42" → 42"#))
    }

    @Test func recordFieldsReadEscapesOfEachFormat() {
        let cef = RecordFields.fields(of: #"CEF:0|Ven\|dor|P|1|dns|n|5|act=a\=b c msg=two words x=1"#)
        #expect(cef.map(\.path) == RecordFields.cefHeader + ["ext.act", "ext.msg", "ext.x"])
        #expect(cef[1].value == #"Ven\|dor"# && cef[7].value == #"a\=b c"# && cef[8].value == "two words")
        let syslog = RecordFields.fields(of: #"<13>1 2024-01-01T00:00:00Z h app - id [x@1 a="q\"]" b="2"] text"#)
        #expect(syslog.map(\.path) == RecordFields.syslogHeader + ["sd.x@1.a", "sd.x@1.b", "msg"])
        #expect(syslog[6].value == #"q"]"# && syslog.last?.value == "text")
        let json = RecordFields.fields(of: #"{"a":{"b.c":[1,{"d":null}]},"e":{}}"#)
        #expect(json.map(\.path) == [#"a.["b.c"][0]"#, #"a.["b.c"][1].d"#, "e"])
        let reordered = RecordDiff.changes(#"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#)
        #expect(reordered == [.init(kind: .changed, path: "(field order)", old: "a, b", new: "b, a")])
        #expect(RecordDiffRendering.code("a|b`c") == "``a\\|b`c``")
    }

    @Test func aTemplatesOwnTestsRunInTheCheckAndAFailureSaysWhatDiffers() throws {
        let ok = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("pipeline acme: test 'a DNS callback keeps who, what and when' passes"))
        #expect(ok.stdout.contains("pipeline acme: test 'an event without optional fields leaves them out' passes"))

        // The expectation, not the template, is changed: the golden file still matches.
        try edit {
            $0.replacingOccurrences(of: "ts_ms: 1735000000000", with: #"ts_ms: "1735000000000""#)
                .replacingOccurrences(of: "kind: license}", with: "kind: license, extra_field: x}")
        }
        let failed = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("template.golden.jsonl matches"))
        #expect(
            failed.stderr.contains(
                "error: pipeline acme: test 'a DNS callback keeps who, what and when' fails (expected → got):\n    ~ ts_ms: \"1735000000000\" → 1735000000000\n"
            ), "a string where the template writes a number")
        #expect(failed.stderr.contains("    - extra_field: \"x\""))

        try edit { $0.replacingOccurrences(of: "event_id: 8,", with: "event_id: 8, action: x,") }
        let wrong = try cli.run(["golden", "check", "--config", cli.path("template.yaml")])
        #expect(wrong.status == 78)
        #expect(wrong.stderr.contains("`action` is derived from `kind`; set kind instead"), "\(wrong.stderr)")
    }
}
