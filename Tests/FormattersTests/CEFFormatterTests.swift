import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

@Suite struct CEFFormatterTests {
    func line(_ event: Event, _ configure: (inout CEFFormatter.Options) -> Void = { _ in }) throws -> String {
        var options = CEFFormatter.Options()
        configure(&options)
        try options.validate()
        var writer = RecordWriter()
        try CEFFormatter(options: options, context: PluginContext(baseDirectory: "/")).encode(event, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func conformsToTheFormatterContract() {
        #expect(FormatterConformance.problems(CEFFormatter.self, events: FormatterTestEvents.all) == [])
    }

    /// The spec's rules, checked on their own: header `|` and `\` escaped; extension `=`, `\`
    /// and line breaks escaped, `|` left alone (ArcSight CEF implementation standard).
    @Test func escapesHeaderFieldsAndExtensionValuesByTheirOwnRules() throws {
        var event = FormatterTestEvents.bare
        event.beacon.kind = "a|b\\c"
        event.userAgent = "x=y\\z|w\nv\rend"
        let text = try line(event) { $0.deviceVendor = "Acme|Corp\\" }
        #expect(text.hasPrefix(#"CEF:0|Acme\|Corp\\|Beacon Registry|1|a\|b\\c|beacon-a\|b\\c|5|"#))
        #expect(text.contains(#" requestClientApplication=x\=y\\z|w\nv\rend "#))
    }

    @Test func mapsTheEventToStandardKeysAndLabelledCustomFields() throws {
        let text = try line(FormatterTestEvents.full)
        let extensions = try #require(text.split(separator: "|", maxSplits: 7).last)
        #expect(
            extensions.hasPrefix(
                "rt=\(FormatterTestEvents.full.occurredUnix * 1_000) externalId=\(FormatterTestEvents.full.eventID) cat=beacon act="
            ))
        for key in [
            "src=", "requestClientApplication=", "suser=", "duser=", "fileId=", "cs1Label=tokenId cs1=",
            "cs3Label=registryId cs3=", "cs4Label=extra cs4=", "cs6Label=schema cs6=oversight-cef-2",
        ] {
            #expect(extensions.contains(key), "\(key)")
        }
        let bare = try line(FormatterTestEvents.bare)
        #expect(!bare.contains("src=") && !bare.contains("cs1=") && !bare.contains("cn1="), "empty fields omitted")
    }

    @Test(arguments: ["11", "-1", "Critical", ""]) func refusesASeverityCEFDoesNotDefine(_ severity: String) {
        var options = CEFFormatter.Options()
        options.severity = severity
        #expect(throws: SIEMError.self) { try options.validate() }
    }
}

/// Every golden CEF line read back by an independent parser (pycef, from PyPI, installed by
/// scripts/install-dependencies.sh): header fields and the extension keys a SIEM maps.
@Suite struct CEFInteropTests {
    /// Each golden file of a schema folder, parsed by pycef: file name → field → value.
    static func parsedGoldenLines(_ schema: String) throws -> [String: [String: String]] {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("cef/\(schema)").path
        let script = """
            import glob, json, sys, pycef
            out = {}
            for path in sorted(glob.glob(sys.argv[1] + "/*.txt")):
                line = open(path, encoding="utf-8").read()
                assert line.endswith("\\n") and line.count("\\n") == 1, path
                out[path.rsplit("/", 1)[1][:-4]] = pycef.parse(line[:-1])
            print(json.dumps(out))
            """
        let result = try ExternalTool.run(["python3", "-c", script, folder])
        try #require(result.status == 0, "pycef (run scripts/install-dependencies.sh): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: [String: String]])
    }

    /// A value as the sender meant it: pycef leaves the standard's escapes (`\\`, `\=`, `\n`,
    /// `\r`) in what it returns.
    static func unescaped(_ value: String?) -> String? {
        guard let value else { return nil }
        var out = ""
        var escaping = false
        for character in value {
            if escaping {
                out.append(character == "n" ? "\n" : character == "r" ? "\r" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The current schema: beacon lines as before, an IPv6 source under its own label; audit,
    /// threat and decision lines with the action taken in `act`, the outcome in `outcome`, the
    /// user, the tenant in `cs1`.
    @Test func pycefReadsEveryLineOfTheCurrentSchema() throws {
        let parsed = try Self.parsedGoldenLines("oversight-cef-2")
        let mapper = try FixtureEvents.mapper()
        for fixture in try FixtureRows.all() {
            let event = try mapper.map(fixture.row)
            let fields = try #require(parsed[fixture.name], "\(fixture.name) not parsed")
            #expect(fields["externalId"] == String(event.eventID) && fields["schema"] == "oversight-cef-2")
            if let address = event.sourceIP?.string, address.contains(":") {
                #expect(fields["Source IPv6 Address"] == address && fields["src"] == nil, "\(fixture.name)")
            }
        }
        for fixture in try CanonicalFixtures.all() {
            let event = fixture.event
            let fields = try #require(parsed[fixture.name], "\(fixture.name) not parsed")
            #expect(fields["DeviceEventClassID"] == event.action?.string, "\(fixture.name)")
            #expect(fields["cat"] == event.category.rawValue, "\(fixture.name)")
            #expect(fields["act"] == (event.verdict.map { $0.upper.description } ?? event.action?.string))
            #expect(fields["outcome"] == event.outcome.rawValue, "\(fixture.name)")
            #expect(Self.unescaped(fields["suser"]) == event.actorUser?.string, "\(fixture.name)")
            #expect(Self.unescaped(fields["sourceServiceName"]) == event.actorService?.string, "\(fixture.name)")
            #expect(Self.unescaped(fields["tenant"]) == event.tenant?.string, "\(fixture.name)")
            #expect(Self.unescaped(fields["target"]) == event.target?.string, "\(fixture.name)")
            #expect(Self.unescaped(fields["msg"]) == event.message?.string, "\(fixture.name)")
            #expect(fields["confidence"] == event.confidence.map { String($0) }, "\(fixture.name)")
            let time = event.occurredUnix * 1_000 + Int64(event.occurredNanos / 1_000_000)
            #expect(fields["rt"] == String(time), "\(fixture.name)")
        }
        #expect(parsed.count == (try FixtureRows.all().count) + (try CanonicalFixtures.all().count))
    }

    /// The first version, still written when pinned: beacon lines only, `cs6=oversight-cef-1`.
    @Test func pycefReadsEveryGoldenLineWithItsIdTimeAndLabels() throws {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("cef/oversight-cef-1").path
        let script = """
            import glob, json, sys, pycef
            out = {}
            for path in sorted(glob.glob(sys.argv[1] + "/*.txt")):
                line = open(path, encoding="utf-8").read()
                assert line.endswith("\\n") and line.count("\\n") == 1, path
                out[path.rsplit("/", 1)[1][:-4]] = pycef.parse(line[:-1])
            print(json.dumps(out))
            """
        let result = try ExternalTool.run(["python3", "-c", script, folder])
        try #require(result.status == 0, "pycef (run scripts/install-dependencies.sh): \(result.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: [String: String]])

        let mapper = try FixtureEvents.mapper()
        let fixtures = try FixtureRows.all()
        #expect(parsed.count == fixtures.count)
        for fixture in fixtures {
            let event = try mapper.map(fixture.row)
            let fields = try #require(parsed[fixture.name], "\(fixture.name) not parsed")
            #expect(fields["CEFVersion"] == "0")
            #expect(fields["DeviceVendor"] == "Oversight" && fields["DeviceProduct"] == "Beacon Registry")
            #expect(fields["DeviceEventClassID"] == event.beacon.kind?.string, "\(fixture.name)")
            #expect(fields["Name"] == event.actionName, "\(fixture.name)")
            #expect(fields["Severity"] == "5")
            #expect(fields["externalId"] == String(event.eventID), "\(fixture.name)")
            #expect(fields["rt"] == String(event.occurredUnix * 1_000), "\(fixture.name)")
            #expect(fields["registryId"] == FixtureEvents.registryID, "\(fixture.name)")
            #expect(fields["schema"] == "oversight-cef-1", "\(fixture.name)")
            #expect(fields["tokenId"] == event.beacon.tokenID?.string, "\(fixture.name)")
        }
    }
}
