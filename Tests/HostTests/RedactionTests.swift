import Foundation
import GRDB
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost

@Suite struct EventRedactorTests {
    let event = Event(
        eventID: 1, kind: "dns", occurredUnix: 0, registryID: "r", sourceIP: "198.51.100.77", userAgent: "curl/8",
        extra: JSONText(
            .object([
                ("qname", .string("x")), ("PassWord", .string("hunter2")),
                ("nested", .object([("api_key", .number("12345")), ("keep", .string("k"))])),
                ("list", .array([.object([("Token", .object([("deep", .string("t"))]))])])),
            ])))

    @Test func denylistedKeysKeepTheirPlaceWithTheValueRedactedAtAnyDepth() {
        let redacted = EventRedactor().apply(event)
        #expect(
            redacted.attributes?.description
                == #"{"qname":"x","PassWord":"[redacted]","nested":{"api_key":"[redacted]","keep":"k"},"list":[{"Token":"[redacted]"}]}"#
        )
        #expect(
            EventRedactor(extraKeys: ["QNAME"]).apply(event).attributes?.description.hasPrefix(
                #"{"qname":"[redacted]""#)
                == true)
        #expect(redacted.sourceIP == event.sourceIP && redacted.userAgent == event.userAgent, "kept unless asked")
        let clean = Event(
            eventID: 2, kind: "dns", occurredUnix: 0, registryID: "r", extra: JSONText(.object([("a", .string("b"))])))
        #expect(
            EventRedactor().apply(clean).attributes?.text == clean.attributes?.text,
            "untouched bytes when nothing matches")
    }

    /// Any category's attributes: an audit row's `details` with a credential deep inside, and a
    /// configured key under both its names.
    @Test func anAuditEventsAttributesAreRedactedByTheDenylistAndConfiguredKeys() throws {
        let audit = Event(
            category: .audit, eventID: 9, occurredUnix: 0, origin: "idp", action: "auth.login",
            attributes: JSONText(
                try JSONParser.parse(
                    #"{"request":{"headers":{"Authorization":"Bearer abc","Accept":"*/*"}},"items":[{"passwd":"p"}],"session_id":"s1","device":"d"}"#
                )))
        let options = try EventRedactor.Options.decode(
            from: JSONOptions(#"{"attribute_keys": ["Session_ID"], "extra_keys": ["device"]}"#))
        #expect(
            EventRedactor(options: options).apply(audit).attributes?.description
                == #"{"request":{"headers":{"Authorization":"[redacted]","Accept":"*/*"}},"items":[{"passwd":"[redacted]"}],"session_id":"[redacted]","device":"[redacted]"}"#
        )
    }

    @Test(arguments: [
        ("198.51.100.77", "198.51.100.0"), ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::"), ("unknown", "[redacted]"),
    ])
    func truncationKeepsTheNetworkOnly(address: String, expected: String) {
        var event = self.event
        event.sourceIP = UTF8Text(address)
        #expect(EventRedactor(sourceIP: .truncate).apply(event).sourceIP?.string == expected)
    }

    @Test func pseudonymsAreStablePerKeyAndUnreadable() {
        let key = Array("a key of at least sixteen bytes".utf8)
        let first = EventRedactor(sourceIP: .hmac, userAgent: .hmac, hmacKey: key).apply(event)
        let again = EventRedactor(sourceIP: .hmac, hmacKey: key).apply(event)
        let other = EventRedactor(sourceIP: .hmac, hmacKey: Array("another key, also sixteen+".utf8)).apply(event)
        let pseudonym = first.sourceIP?.string ?? ""
        #expect(pseudonym.hasPrefix("hmac-sha256:") && pseudonym.count == 12 + 32)
        #expect(pseudonym == again.sourceIP?.string)
        #expect(pseudonym != other.sourceIP?.string)
        #expect(first.userAgent?.string.hasPrefix("hmac-sha256:") == true)
        #expect(EventRedactor(userAgent: .drop).apply(event).userAgent == nil)
    }
}

@Suite(.serialized) struct RedactionCLITests {
    let cli: CLIHarness
    let db: String

    init() throws {
        cli = try CLIHarness()
        db = cli.path("registry.sqlite")
        try cli.run(["demo-registry", db, "--rows", "20"])
        try DatabaseQueue(path: db).write {
            try $0.execute(sql: #"UPDATE events SET extra = '{"user":"a","Password":"hunter2"}' WHERE id = 3"#)
        }
    }

    func config(_ redact: String) throws -> String {
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: \(db)}
            mapper: {type: oversight_beacon, registry_id: reg}
            checkpoint: {path: \(cli.path("state.sqlite"))}
            pipelines:
              - name: ecs
                formatter: {type: ecs}
                sink: {type: file, path: \(cli.path("ecs.jsonl"))}
                redact: \(redact)
            """
        try yaml.write(toFile: cli.path("siem.yaml"), atomically: false, encoding: .utf8)
        return cli.path("siem.yaml")
    }

    @Test func redactionHappensBeforeFormattingAndTheKeyIsNeverPrinted() throws {
        let key = "pseudonymisation-key-0123456789"
        let run = try cli.run(
            ["run", "--config", try config("{source_ip: hmac, user_agent: drop, hmac_key: \"${env:PSEUDO_KEY}\"}")],
            environment: ["PSEUDO_KEY": key])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOfFile: cli.path("ecs.jsonl"), encoding: .utf8)
        #expect(!text.contains("hunter2") && !text.contains(key) && !run.stderr.contains(key))
        let records = text.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(records.count == 20)
        // Which rows hold an address, read from the database itself: each of those must come out
        // as a pseudonym, and a record must not lose its address altogether.
        let addressed = try DatabaseQueue(path: db).read {
            try Int64.fetchSet($0, sql: "SELECT id FROM events WHERE source_ip IS NOT NULL AND source_ip != ''")
        }
        #expect(!addressed.isEmpty)
        for record in records {
            #expect(record["user_agent"] == nil)
            let id = Int64(((record["event"] as? [String: Any])?["id"] as? String) ?? "") ?? -1
            let source = record["source"] as? [String: String]
            if addressed.contains(id) {
                #expect(source?["address"]?.hasPrefix("hmac-sha256:") == true, "event \(id): \(source ?? [:])")
            } else {
                #expect(source == nil, "event \(id) had no address")
            }
            #expect(source?["ip"] == nil, "a pseudonym is not an address")
        }
        let third = (records[2]["oversight"] as? [String: Any])?["extra"] as? [String: String]
        #expect(third == ["user": "a", "Password": "[redacted]"])
    }

    @Test func anInlineKeyOrAMissingOneIsAConfigError() throws {
        let inline = try cli.run([
            "validate", "--config", try config("{source_ip: hmac, hmac_key: not-a-reference-at-all}"),
        ])
        #expect(inline.status == 78)
        #expect(inline.stderr.contains("pipelines[0].redact.hmac_key: a credential must be given by reference"))
        #expect(!inline.stderr.contains("not-a-reference-at-all"))
        let missing = try cli.run(["validate", "--config", try config("{user_agent: hmac}")])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("needs `hmac_key"))
        let wrong = try cli.run(["validate", "--config", try config("{source_ip: mask}")])
        #expect(
            wrong.stderr.contains("pipelines[0].redact.source_ip: expected one of: keep, truncate, hmac, found 'mask'"))
    }
}
