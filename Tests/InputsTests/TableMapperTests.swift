import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

@Suite struct TableMapperTests {
    /// The issue's audit example, as JSON options.
    static let auditOptions = """
        {"category": "audit", "tenant": "acme",
         "fields": {"time": {"epoch": "ts"}, "action": "action", "actor": "user_name", "target": "object",
                    "outcome": {"column": "result", "map": {"ok": "success", "denied": "failure"}},
                    "source_ip": "client_ip", "message": "summary", "attributes": {"json": "details"}},
         "severity": {"from_outcome": {"success": "info", "failure": "warning"}}}
        """

    func mapper(_ json: String, sourceName: String? = nil) throws -> TableMapper {
        var context = PluginContext(baseDirectory: "/")
        context.sourceName = sourceName
        let options = try TableMapper.Options.decode(from: JSONOptions(json))
        return try TableMapper(options: options, context: context)
    }

    /// One row in the mapper's columns, by name (a column not given is NULL).
    func batch(_ mapper: TableMapper, id: Int64 = 7, _ values: [String: SQLValue]) -> RowBatch {
        var batch = RowBatch(columns: mapper.columns.map(\.name))
        batch.beginRow(id: id)
        for column in mapper.columns { batch.append(values[column.name] ?? .null) }
        return batch
    }

    func map(_ mapper: TableMapper, _ values: [String: SQLValue]) throws -> Event {
        try mapper.map(batch(mapper, values), row: 0)
    }

    func badRow(_ mapper: TableMapper, _ values: [String: SQLValue]) -> String? {
        do {
            _ = try map(mapper, values)
            return nil
        } catch let error as SIEMError {
            return error.badRowReason
        } catch {
            return "\(error)"
        }
    }

    @Test func mapsTheIssuesAuditExampleOntoTheCanonicalEvent() throws {
        let mapper = try mapper(Self.auditOptions)
        #expect(mapper.category == .audit)
        #expect(
            mapper.columns.map(\.name) == [
                "ts", "action", "user_name", "object", "result", "client_ip", "summary", "details",
            ])
        #expect(mapper.columns.allSatisfy { $0.isRequired })
        #expect(mapper.columns.first { $0.name == "result" }?.configPath == "fields.outcome")
        let event = try map(
            mapper,
            [
                "ts": .integer(1_767_225_600), "action": .text("config.update"), "user_name": .text("alice"),
                "object": .text("policy/42"), "result": .text("denied"), "client_ip": .text("2001:db8::7"),
                "summary": .text("changed policy"), "details": .text(#" {"before": 1, "after": 2} "#),
            ])
        #expect(event.eventID == 7 && event.occurredUnix == 1_767_225_600 && event.occurredNanos == 0)
        #expect(event.category == .audit && event.origin == "audit")
        #expect(event.action == "config.update" && event.actorUser == "alice" && event.target == "policy/42")
        #expect(event.outcome == .failure && event.severity == .medium)
        #expect(event.tenant == "acme" && event.sourceIP == "2001:db8::7" && event.message == "changed policy")
        #expect(event.attributes?.description == #"{"before":1,"after":2}"#)
        #expect(event.actorService == nil && event.confidence == nil && event.verdict == nil)
        let ok = try map(mapper, ["ts": .integer(1), "action": .text("auth.login"), "result": .text("ok")])
        #expect(ok.outcome == .success && ok.severity == .informational)
        #expect(ok.actorUser == nil && ok.attributes == nil && ok.tenant == "acme")
    }

    @Test func theOriginIsTheSourcesNameUnlessGiven() throws {
        #expect(
            try map(
                try mapper(Self.auditOptions, sourceName: "admin-audit"), ["ts": .integer(1), "action": .text("a")]
            ).origin == "admin-audit")
        let named = Self.auditOptions.replacingOccurrences(
            of: #""tenant": "acme","#, with: #""tenant": "acme", "origin": "idp","#)
        #expect(try map(try mapper(named, sourceName: "x"), ["ts": .integer(1), "action": .text("a")]).origin == "idp")
    }

    @Test(arguments: [
        (#"{"epoch": "t"}"#, SQLValue.integer(1_767_225_600), 1_767_225_600, 0),
        (#"{"epoch": "t"}"#, .real(1_767_225_600.25), 1_767_225_600, 250_000_000),
        (#"{"epoch": "t"}"#, .text("1767225600.123456789"), 1_767_225_600, 123_456_789),
        (#"{"epoch": "t"}"#, .text("-1.5"), -2, 500_000_000),
        (#"{"epoch_ms": "t"}"#, .integer(1_767_225_600_123), 1_767_225_600, 123_000_000),
        (#"{"epoch_ms": "t"}"#, .integer(-1), -1, 999_000_000),
        (#"{"rfc3339": "t"}"#, .text("2026-01-01T00:00:00.5+01:00"), 1_767_222_000, 500_000_000),
        (#"{"rfc3339": "t"}"#, .text("2026-01-01 00:00:00"), 1_767_225_600, 0),
        (#""t""#, .text("2026-01-01T00:00:00Z"), 1_767_225_600, 0),
        (#""t""#, .integer(5), 5, 0),
    ])
    func readsTimeInEveryDeclaredForm(spec: String, value: SQLValue, seconds: Int64, nanos: Int32) throws {
        let mapper = try mapper(
            #"{"category": "threat", "fields": {"time": \#(spec), "action": {"value": "ioc.match"}}}"#)
        let event = try map(mapper, ["t": value])
        #expect(event.occurredUnix == seconds && event.occurredNanos == nanos)
        #expect(event.action == "ioc.match" && event.severity == .unknown)
    }

    @Test(arguments: [
        (SQLValue.null, "`fields.time` (t) is NULL"),
        (.text("yesterday"), #"`fields.time` (t) "yesterday" is not epoch seconds"#),
        (.integer(253_402_300_800), "`fields.time` (t) is outside years 0000–9999, which RFC 3339 cannot express"),
        (.blob([1]), "`fields.time` (t) a BLOB is not epoch seconds"),
    ])
    func aRowWithoutAUsableTimeIsABadRowNamingIt(value: SQLValue, reason: String) throws {
        let mapper = try mapper(#"{"category": "audit", "fields": {"time": {"epoch": "t"}, "action": "a"}}"#)
        #expect(badRow(mapper, ["t": value, "a": .text("x")]) == reason)
        #expect(badRow(mapper, ["t": .integer(1)]) == "`fields.action` is empty")
    }

    @Test func aValueTheMapLacksIsABadRowUnlessADefaultStandsIn() throws {
        let strict = try mapper(Self.auditOptions)
        let row: [String: SQLValue] = ["ts": .integer(1), "action": .text("a"), "result": .text("maybe")]
        #expect(
            badRow(strict, row) == #"`fields.outcome` value "maybe" has no entry in `map:` and no `default:`"#)
        #expect(try map(strict, ["ts": .integer(1), "action": .text("a")]).outcome == .unknown, "NULL is no outcome")
        let lenient = try mapper(
            Self.auditOptions.replacingOccurrences(
                of: #""denied": "failure"}"#, with: #""denied": "failure"}, "default": "unknown""#))
        #expect(try map(lenient, row).outcome == .unknown)
        let unmapped = try mapper(#"{"category": "audit", "fields": {"time": "t", "action": "a", "outcome": "r"}}"#)
        #expect(try map(unmapped, ["t": .integer(1), "a": .text("x"), "r": .text("FAILURE")]).outcome == .failure)
        #expect(
            badRow(unmapped, ["t": .integer(1), "a": .text("x"), "r": .text("ok")])
                == #"`fields.outcome` "ok" is not a known value; add a `map:`"#)
    }

    /// The issue's decision mapping: ALLOW / DENY / ESCALATE / REWRITE are informational /
    /// medium / high / low unless `severity:` says otherwise.
    @Test(arguments: [
        ("ALLOW", EventVerdict.allow, EventSeverity.informational), ("DENY", .deny, .medium),
        ("ESCALATE", .escalate, .high), ("REWRITE", .rewrite, .low),
    ])
    func decisionsTakeTheirSeverityFromTheVerdict(
        written: String, verdict: EventVerdict, severity: EventSeverity
    )
        throws
    {
        let mapper = try mapper(
            #"{"category": "decision", "tenant": "t1", "fields": {"time": "at", "action": {"value": "policy.decision"}, "verdict": "decision", "target": "tool"}}"#
        )
        let event = try map(mapper, ["at": .integer(10), "decision": .text(UTF8Text(written)), "tool": .text("shell")])
        #expect(event.verdict == verdict && event.severity == severity)
        #expect(event.category == EventCategory.decision)
    }

    @Test func threatsTakeSeverityAndConfidenceFromTheSignal() throws {
        let mapper = try mapper(
            #"{"category": "threat", "fields": {"time": "t", "action": "kind", "confidence": "score", "source_port": "sport", "destination_ip": "dst", "destination_port": "dport"}, "severity": {"column": "level", "map": {"1": "low", "2": "medium", "3": "high", "4": "critical"}}}"#
        )
        let event = try map(
            mapper,
            [
                "t": .integer(1), "kind": .text("ioc.match"), "score": .integer(87), "level": .integer(4),
                "sport": .text("443"), "dst": .text("198.51.100.4"), "dport": .integer(8443),
            ])
        #expect(event.severity == .critical && event.confidence == 87)
        #expect(event.sourcePort == 443 && event.destinationIP == "198.51.100.4" && event.destinationPort == 8443)
        #expect(
            badRow(mapper, ["t": .integer(1), "kind": .text("x"), "score": .integer(150), "level": .integer(1)])
                == "`fields.confidence` \"150\" is not a confidence score (0–100)")
        #expect(
            badRow(mapper, ["t": .integer(1), "kind": .text("x"), "sport": .integer(70_000), "level": .integer(1)])
                == "`fields.source_port` \"70000\" is not a port")
        #expect(
            badRow(mapper, ["t": .integer(1), "kind": .text("x"), "level": .integer(9)])
                == #"`severity` value "9" has no entry in `map:` and no `default:`"#)
    }

    /// The tenant is the config's, never the row's, unless `tenant_column:` says so.
    @Test func theTenantComesFromTheConfigOrAnExplicitColumn() throws {
        let stamped = try mapper(#"{"category": "audit", "tenant": "acme", "fields": {"time": "t", "action": "a"}}"#)
        #expect(!stamped.columns.contains { $0.name == "tenant" })
        #expect(try map(stamped, ["t": .integer(1), "a": .text("x")]).tenant == "acme")
        let column = try mapper(
            #"{"category": "audit", "tenant_column": "org", "fields": {"time": "t", "action": "a"}}"#)
        #expect(try map(column, ["t": .integer(1), "a": .text("x"), "org": .text("globex")]).tenant == "globex")
        #expect(try map(column, ["t": .integer(1), "a": .text("x")]).tenant == nil)
    }

    @Test func attributesFromSeveralColumnsLeaveNullsOut() throws {
        let mapper = try mapper(
            #"{"category": "audit", "fields": {"time": "t", "action": "a", "attributes": {"columns": ["n", "r", "s", "b", "z"]}}}"#
        )
        let event = try map(
            mapper,
            [
                "t": .integer(1), "a": .text("x"), "n": .integer(3), "r": .real(0.5), "s": .text("é\"q"),
                "b": .blob([0, 255]),
            ])
        #expect(event.attributes?.description == #"{"n":3,"r":0.5,"s":"é\"q","b":"00ff"}"#)
        #expect(try map(mapper, ["t": .integer(1), "a": .text("x")]).attributes == nil)
    }

    @Test func aColumnUsedTwiceIsReadOnce() throws {
        let mapper = try mapper(
            #"{"category": "audit", "fields": {"time": "t", "action": "a", "actor": "who", "target": "who"}}"#)
        #expect(mapper.columns.map(\.name) == ["t", "a", "who"])
        let event = try map(mapper, ["t": .integer(1), "a": .text("x"), "who": .text("bob")])
        #expect(event.actorUser == "bob" && event.target == "bob")
    }

    @Test func theActorIsTheUserOrElseTheService() throws {
        let mapper = try mapper(
            #"{"category": "audit", "fields": {"time": "t", "action": "a", "actor": "u", "actor_service": "s"}}"#)
        let service = try map(mapper, ["t": .integer(1), "a": .text("x"), "s": .text("backup-job")])
        #expect(service.actorUser == nil && service.actorService == "backup-job")
        let user = try map(mapper, ["t": .integer(1), "a": .text("x"), "u": .text("ann"), "s": .text("cli")])
        #expect(user.actorUser == "ann" && user.actorService == nil)
    }

    @Test func aBinaryValueInATextFieldIsABadRow() throws {
        let mapper = try mapper(#"{"category": "audit", "fields": {"time": "t", "action": "a"}}"#)
        #expect(
            badRow(mapper, ["t": .integer(1), "a": .blob([0x41])])
                == "`fields.action` holds binary data (a BLOB), not text")
    }

    @Test(arguments: [
        (#"{"category": "beacon", "fields": {"time": "t", "action": "a"}}"#, "oversight_beacon"),
        (#"{"category": "audit", "fields": {"action": "a"}}"#, "`time:` is required"),
        (#"{"category": "audit", "fields": {"time": "t"}}"#, "`action:` is required"),
        (
            #"{"category": "audit", "tenant": "a", "tenant_column": "b", "fields": {"time": "t", "action": "a"}}"#,
            "not both"
        ),
        (
            #"{"category": "audit", "fields": {"time": "t", "action": "a", "actr": "u"}}"#,
            "unknown key 'actr' (did you mean 'actor'?)"
        ),
        (
            #"{"category": "audit", "fields": {"time": "t", "action": "a", "outcome": {"column": "r", "map": {"ok": "succes"}}}}"#,
            "'succes' is not an outcome (did you mean 'success'?)"
        ),
        (
            #"{"category": "audit", "fields": {"time": {"epok": "t"}, "action": "a"}}"#,
            "unknown key 'epok' (did you mean 'epoch'?)"
        ),
        (
            #"{"category": "audit", "severity": {"from_outcome": {"failure": "severe"}}, "fields": {"time": "t", "action": "a"}}"#,
            "'severe' is not a severity"
        ),
        (
            #"{"category": "decision", "fields": {"time": "t", "action": "a", "verdict": {"value": "block"}}}"#,
            "'block' is not a verdict"
        ),
    ])
    func aWrongConfigIsRefusedSayingWhy(json: String, expected: String) throws {
        do {
            _ = try mapper(json)
            Issue.record("accepted: \(json)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
