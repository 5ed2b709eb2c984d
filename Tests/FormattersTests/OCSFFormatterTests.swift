import Foundation
import SIEMCore
import SIEMFormatters
import SIEMInputs
import SIEMTestSupport
import Testing

/// OCSF output checked by the published OCSF 1.8.0 schema, not by our own reading of it:
/// scripts/validate-ocsf.py builds each class's JSON Schema with the `ocsf-json-schema` package
/// (which bundles the 1.8.0 schema export) and validates with `jsonschema`, then checks what
/// JSON Schema cannot say (type_uid arithmetic, captions of ids, no deprecated attribute).
@Suite struct OCSFFormatterTests {
    static func formatter(
        _ eventClass: OCSFEventClass, severity: OCSFSeverity = .informational
    ) throws
        -> OCSFFormatter
    {
        var options = OCSFFormatter.Options()
        options.class = eventClass.rawValue
        options.severity = severity.rawValue
        return try OCSFFormatter(options: options, context: PluginContext(baseDirectory: "/"))
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ocsf-\(UUID().uuidString)-\(name)")
    }

    /// The default class is held by GoldenFileTests; Detection Finding, an option, is held here,
    /// under `Tests/Golden/ocsf-detection_finding/<schema>/`.
    @Test func detectionFindingOutputMatchesItsGoldenFiles() throws {
        let formatter = try Self.formatter(.detectionFinding)
        let mapper = try FixtureEvents.mapper()
        for fixture in try FixtureRows.all() {
            let bytes = try FixtureEvents.record(formatter, try mapper.map(fixture.row))
            let file = "ocsf-detection_finding/\(OCSFFormatter.schema)/\(fixture.name).json"
            if let failure = GoldenFile.check(bytes, relativePath: file) { Issue.record(Comment(rawValue: failure)) }
        }
    }

    /// Every golden event: beacon rows in both classes, and the audit, threat and decision
    /// events in the classes their category and action call for, with their profiles.
    @Test func everyGoldenEventOfBothClassesPassesTheOCSF180Schema() throws {
        var paths: [String] = []
        for folder in ["ocsf", "ocsf-detection_finding"] {
            let directory = GoldenFile.goldenRoot.appendingPathComponent("\(folder)/\(OCSFFormatter.schema)")
            paths += try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map {
                directory.appendingPathComponent($0).path
            }
        }
        let fixtures = try FixtureRows.all().count
        let others = try CanonicalFixtures.all().map(\.event.category)
        #expect(paths.count == 2 * fixtures + others.count)
        let (result, problems) = try OCSFValidator.validate(paths)
        let validation = try #require(result, "validator (run scripts/install-dependencies.sh): \(problems)")
        #expect(validation.failures == 0, "\(problems)")
        let findings = others.count { $0 == .threat || $0 == .decision }
        let audits = others.count { $0 == .audit }
        #expect(validation.classes["4001"] == fixtures && validation.classes["2004"] == fixtures + findings)
        #expect(
            (validation.classes["6003"] ?? 0) + (validation.classes["3002"] ?? 0) == audits, "\(validation.classes)")
        #expect(validation.classes["6003"] ?? 0 > 0 && validation.classes["3002"] ?? 0 > 0)
    }

    /// Random rows (the property test's generator) with addresses of every shape OCSF's `ip_t`
    /// must accept or that must go to `unmapped`: each event of both classes passes the schema.
    @Test func randomRowsOfBothClassesPassTheOCSF180Schema() throws {
        var random = SeededRandom()
        let mapper = try FixtureEvents.mapper()
        let addresses = [
            "203.0.113.7", "::1", "2001:db8::5", "fe80::1", "::ffff:192.0.2.1", "0:0:0:0:0:ffff:192.168.100.200",
            "2001:0db8:0000:0000:0000:0000:0000:0001", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "256.1.1.1",
            "example.org", "01.2.3.4", " 203.0.113.7", "", "unknown",
        ]
        var outputs = try OCSFEventClass.allCases.map { eventClass in
            (
                try Self.formatter(eventClass, severity: OCSFSeverity.allCases.randomElement(using: &random)!),
                RecordWriter()
            )
        }
        var events = 0
        for id in Int64(1)...1_500 {
            let address: SQLValue =
                Bool.random(using: &random)
                ? .text(UTF8Text(addresses.randomElement(using: &random)!))
                : RandomRows.randomValue(&random)
            let row = BeaconRow(
                id: id, tokenID: RandomRows.randomValue(&random),
                fileID: RandomRows.randomValue(&random),
                recipientID: RandomRows.randomValue(&random),
                issuerID: RandomRows.randomValue(&random),
                kind: Bool.random(using: &random) ? RandomRows.randomValue(&random) : .text("http_img"),
                sourceIP: address, userAgent: RandomRows.randomValue(&random),
                extra: RandomRows.randomExtra(&random),
                timestamp: .integer(Int64.random(in: -62_135_596_800...253_402_300_799, using: &random)),
                qualifiedTimestamp: RandomRows.randomValue(&random), tlogIndex: .integer(id))
            guard let event = try? mapper.map(row) else { continue }
            events += 1
            for i in outputs.indices {
                try outputs[i].0.encode(event, into: &outputs[i].1)
                outputs[i].1.endRecord()
            }
        }
        #expect(events > 1_000)
        let files = try outputs.enumerated().map { index, output in
            let url = Self.temporaryFile("random-\(index).jsonl")
            try Data(output.1.bytes).write(to: url)
            return url
        }
        defer { for file in files { try? FileManager.default.removeItem(at: file) } }
        let (result, problems) = try OCSFValidator.validate(files.map(\.path))
        let validation = try #require(result, "validator: \(problems)")
        #expect(validation.failures == 0, "\(random.note): \(problems.prefix(4_000))")
        #expect(validation.classes == ["4001": events, "2004": events])
    }

    /// The validator is not a rubber stamp: each kind of mistake it exists to catch is caught.
    @Test func theValidatorRefusesWhatOCSFForbids() throws {
        let mapper = try FixtureEvents.mapper()
        let event = try mapper.map(try #require(try FixtureRows.all().first).row)
        let good = try FixtureEvents.record(try Self.formatter(.networkActivity), event)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(good)) as? [String: Any])
        let mutations: [(String, ([String: Any]) -> [String: Any])] = [
            (
                "missing time",
                {
                    var d = $0
                    d["time"] = nil
                    return d
                }
            ),
            (
                "wrong caption",
                {
                    var d = $0
                    d["activity_name"] = "Open"
                    return d
                }
            ),
            (
                "type_uid arithmetic",
                {
                    var d = $0
                    d["type_uid"] = 400101
                    return d
                }
            ),
            (
                "unknown attribute",
                {
                    var d = $0
                    d["source_ip"] = "203.0.113.7"
                    return d
                }
            ),
            (
                "security finding",
                {
                    var d = $0
                    d["class_uid"] = 2001
                    return d
                }
            ),
            (
                "deprecated attribute",
                {
                    var d = $0
                    var m = d["metadata"] as! [String: Any]
                    m["extension"] = ["name": "x", "uid": "1", "version": "1"]
                    d["metadata"] = m
                    return d
                }
            ),
        ]
        var lines = ""
        for (_, mutate) in mutations {
            let data = try JSONSerialization.data(withJSONObject: mutate(document))
            lines += String(decoding: data, as: UTF8.self) + "\n"
        }
        let file = Self.temporaryFile("bad.jsonl")
        try (String(decoding: good, as: UTF8.self) + lines).write(to: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (result, problems) = try OCSFValidator.validate([file.path])
        let validation = try #require(result, "validator: \(problems)")
        #expect(validation.events == 1 + mutations.count)
        #expect(validation.failures == mutations.count, "\(problems)")
        for (line, (name, _)) in mutations.enumerated() {
            #expect(problems.contains("\(file.path):\(line + 2): "), "\(name) not caught: \(problems)")
        }
        #expect(problems.contains("metadata.extension is deprecated"), "\(problems)")
    }

    /// The mapping's promises, read from parsed output: time in milliseconds, ids, the user
    /// agent's home in each class, a non-address kept out of `src_endpoint.ip`.
    @Test func mappingPutsEachBeaconFieldWhereTheDocsSay() throws {
        let event = Event(
            eventID: 42, kind: "http_img", occurredUnix: 1_735_000_000, registryID: "reg", tokenID: "tok",
            sourceIP: "not-an-ip", userAgent: "UA/1", tlogIndex: 7)
        func parsed(_ eventClass: OCSFEventClass) throws -> [String: Any] {
            let bytes = try FixtureEvents.record(try Self.formatter(eventClass, severity: .high), event)
            return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        }
        let activity = try parsed(.networkActivity)
        #expect(activity["time"] as? Int64 == 1_735_000_000_000)
        #expect(activity["severity_id"] as? Int == 4 && activity["severity"] as? String == "High")
        let metadata = try #require(activity["metadata"] as? [String: Any])
        #expect(metadata["uid"] as? String == "reg:42" && metadata["original_event_uid"] as? String == "42")
        #expect(activity["src_endpoint"] == nil && activity["observables"] == nil)
        #expect((activity["dst_endpoint"] as? [String: Any])?["name"] as? String == "reg")
        let unmapped = try #require(activity["unmapped"] as? [String: Any])
        #expect(unmapped["source_ip"] as? String == "not-an-ip" && unmapped["user_agent"] as? String == "UA/1")
        #expect(unmapped["tlog_index"] as? Int == 7 && unmapped["token_id"] as? String == "tok")

        let finding = try parsed(.detectionFinding)
        #expect((finding["finding_info"] as? [String: Any])?["uid"] as? String == "reg:42")
        let evidence = try #require((finding["evidences"] as? [[String: Any]])?.first)
        #expect((evidence["http_request"] as? [String: Any])?["user_agent"] as? String == "UA/1")
        #expect((finding["unmapped"] as? [String: Any])?["user_agent"] == nil)
    }
}
