import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// CEF for every category under `oversight-cef-2`, and `oversight-cef-1` kept for configs that
/// pin it.
@Suite struct CEFSecurityEventTests {
    static func formatter(schema: SchemaVersion? = nil) throws -> CEFFormatter {
        var context = PluginContext(baseDirectory: "/")
        context.schema = schema
        return try CEFFormatter(options: .init(), context: context)
    }

    static func line(_ event: Event, schema: SchemaVersion? = nil) throws -> String {
        var writer = RecordWriter()
        try formatter(schema: schema).encode(event, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The value of `key=` in a line's extension (up to the next ` key=`), still escaped.
    static func value(_ key: String, in line: String) -> String? {
        let extensionPart = line.split(separator: "|", maxSplits: 7, omittingEmptySubsequences: false).last ?? ""
        let pattern = try! Regex("(?:^| )\(key)=(.*?)(?= [A-Za-z0-9]+=|$)")
        return extensionPart.firstMatch(of: pattern).map { String($0.output[1].substring ?? "") }
    }

    static func audit(_ configure: (inout Event) -> Void = { _ in }) -> Event {
        var event = Event(
            category: .audit, eventID: 7, occurredUnix: 1_772_600_767, occurredNanos: 250_000_000, origin: "console",
            action: "auth.login", tenant: "acme", outcome: .failure, severity: .medium, actorUser: "mallory")
        configure(&event)
        return event
    }

    @Test(arguments: [
        ("203.0.113.9", "src=203.0.113.9"), ("2001:db8::17", "c6a2Label=Source IPv6 Address c6a2=2001:db8::17"),
        ("::ffff:192.0.2.1", "c6a2Label=Source IPv6 Address c6a2=::ffff:192.0.2.1"),
        ("proxy, 10.0.0.1", "cs5Label=sourceAddress cs5=proxy, 10.0.0.1"),
    ])
    func srcHoldsIPv4OnlyAndIPv6GoesToItsCustomField(address: String, expected: String) throws {
        let beacon = Event(eventID: 1, kind: "dns", occurredUnix: 0, registryID: "reg", sourceIP: UTF8Text(address))
        #expect(try Self.line(beacon).contains(" " + expected + " "))
        #expect(try Self.line(Self.audit { $0.sourceIP = UTF8Text(address) }).contains(" " + expected + " "))
    }

    @Test(arguments: [
        ("192.0.2.66", "dst=192.0.2.66"), ("2001:db8::1", "c6a3Label=Destination IPv6 Address c6a3=2001:db8::1"),
        ("db.internal", "dhost=db.internal"),
    ])
    func dstHoldsIPv4OnlyAndIPv6GoesToItsCustomField(address: String, expected: String) throws {
        #expect(try Self.line(Self.audit { $0.destinationIP = UTF8Text(address) }).contains(" " + expected + " "))
    }

    /// A config pinning the first version gets its bytes: an IPv6 source in `src`, its schema
    /// name; an event of another category is refused with a message that says what to do.
    @Test func pinningTheFirstVersionWritesItsLinesAndRefusesOtherCategories() throws {
        let beacon = Event(eventID: 1, kind: "dns", occurredUnix: 0, registryID: "reg", sourceIP: "2001:db8::17")
        let first = try Self.line(beacon, schema: "oversight-cef-1")
        #expect(first.contains(" src=2001:db8::17 ") && first.contains("cs6=oversight-cef-1"))
        #expect(try Self.line(beacon, schema: "oversight-cef-2").contains("cs6=oversight-cef-2"))
        do {
            _ = try Self.line(Self.audit(), schema: "oversight-cef-1")
            Issue.record("an audit event was written under oversight-cef-1")
        } catch let error as SIEMError {
            #expect(error.description.contains("oversight-cef-1 renders beacon events only"), "\(error)")
            #expect(error.description.contains("oversight-cef-2"))
        }
        #expect(throws: SIEMError.self) { try Self.formatter(schema: "oversight-cef-9") }
        #expect(CEFFormatter.schemas.map(\.name) == ["oversight-cef-2", "oversight-cef-1"])
    }

    /// `act` is the action taken, `outcome` whether it succeeded: a gateway that denied a call
    /// did so successfully (act DENY, outcome success); a failed login is act auth.login,
    /// outcome failure. Neither key ever carries the other's value.
    @Test func actIsTheActionTakenAndOutcomeItsResult() throws {
        let login = try Self.line(Self.audit())
        #expect(Self.value("act", in: login) == "auth.login" && Self.value("outcome", in: login) == "failure")
        let deny = try Self.line(
            Event(
                category: .decision, eventID: 3, occurredUnix: 0, origin: "gw", action: "tool.call", outcome: .success,
                severity: .medium, verdict: .deny,
                attributes: JSONText(
                    .object([("rule", .object([("id", .string("R-1")), ("name", .string("no-shell"))]))]))))
        #expect(Self.value("act", in: deny) == "DENY" && Self.value("outcome", in: deny) == "success")
        #expect(Self.value("reason", in: deny) == "no-shell")
        for fixture in try CanonicalFixtures.all() {
            let line = try Self.line(fixture.event)
            #expect(Self.value("outcome", in: line) == fixture.event.outcome.rawValue, "\(fixture.name)")
            #expect(!["success", "failure", "unknown"].contains(Self.value("act", in: line) ?? ""), "\(fixture.name)")
        }
    }

    @Test func eachEventCarriesItsOwnSeverityAndTenant() throws {
        let expected: [EventSeverity: String] = [
            .unknown: "Unknown", .informational: "1", .low: "3", .medium: "5", .high: "8", .critical: "10",
        ]
        for (severity, text) in expected {
            let line = try Self.line(Self.audit { $0.severity = severity })
            #expect(line.split(separator: "|", omittingEmptySubsequences: false)[6] == Substring(text))
            #expect(line.contains(" cs1Label=tenant cs1=acme "))
            #expect(Self.value("suser", in: line) == "mallory" && Self.value("rt", in: line) == "1772600767250")
        }
    }

    /// Every string within its dictionary length, cut at a character boundary; JSON too long for
    /// `cs4` is left out with its size, never cut. The first version wrote values whole.
    @Test func valuesAreKeptWithinTheirDictionaryLengthsAtCharacterBoundaries() throws {
        let longAction = UTF8Text(String(repeating: "é", count: 700))
        let emoji = UTF8Text(String(repeating: "😀", count: 600))
        let bigJSON = JSONText(.object([("blob", .string(String(repeating: "x", count: 5_000)))]))
        let line = try Self.line(
            Self.audit {
                $0.action = longAction
                $0.message = emoji
                $0.attributes = bigJSON
            })
        let header = line.split(separator: "|", omittingEmptySubsequences: false)
        #expect(header[4].utf8.count == 1_022 && header[5].utf8.count == 512)
        #expect(Self.value("act", in: line)?.utf8.count == 62)
        #expect(Self.value("msg", in: line)?.utf8.count == 1_020)
        #expect(Self.value("cs4", in: line) == nil && line.contains(" cn3Label=attributesBytes cn3=5011 "))
        #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)

        let agent = UTF8Text(String(repeating: "A", count: 4_000))
        let beacon = Event(eventID: 1, kind: "http_img", occurredUnix: 0, registryID: "reg", userAgent: agent)
        #expect(Self.value("requestClientApplication", in: try Self.line(beacon))?.utf8.count == 1_023)
        #expect(
            Self.value("requestClientApplication", in: try Self.line(beacon, schema: "oversight-cef-1"))?.utf8.count
                == 4_000)
    }

    @Test func conformsToTheFormatterContractForEveryCategory() throws {
        var random = SeededRandom()
        let events =
            try CanonicalFixtures.all().map(\.event) + (1...200).map { RandomSecurityEvents.event($0, &random) }
        #expect(FormatterConformance.problems(CEFFormatter.self, events: events) == [], "\(random.note)")
    }
}
