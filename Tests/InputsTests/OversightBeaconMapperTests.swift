import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

@Suite struct OversightBeaconMapperTests {
    let mapper: OversightBeaconMapper = {
        var options = OversightBeaconMapper.Options()
        options.registryID = "reg"
        return try! OversightBeaconMapper(options: options, context: PluginContext(baseDirectory: "/"))
    }()

    @Test func mapsEveryColumn() throws {
        let row = BeaconRow(
            id: 42, tokenID: .text("tok"), fileID: .text("file"), recipientID: .text("rcpt"), issuerID: .text("iss"),
            kind: .text("dns"), sourceIP: .text("203.0.113.9"), userAgent: .text("curl/8"),
            extra: .text(#"{"qtype":"A","qname":"x"}"#), timestamp: .integer(1_735_000_000),
            qualifiedTimestamp: .text("2024-12-24T01:06:40Z"), tlogIndex: .integer(11))
        let event = try mapper.map(row)
        #expect(
            event
                == Event(
                    eventID: 42, kind: "dns", occurredUnix: 1_735_000_000, registryID: "reg", tokenID: "tok",
                    fileID: "file", recipientID: "rcpt", issuerID: "iss", sourceIP: "203.0.113.9", userAgent: "curl/8",
                    qualifiedTimestamp: "2024-12-24T01:06:40Z", tlogIndex: 11,
                    extra: JSONText(.object([("qtype", .string("A")), ("qname", .string("x"))]))))
        #expect(event.actionName == "beacon-dns-callback")
        #expect(event.occurredAt == "2024-12-24T00:26:40Z")
    }

    @Test(arguments: [
        ("dns", "beacon-dns-callback"), ("http_img", "beacon-http-pixel"), ("ocsp", "beacon-ocsp-callback"),
        ("license", "beacon-license-check"), ("webhook", "beacon-webhook"),
    ])
    func actionNames(kind: String, action: String) {
        #expect(BeaconAction.name(forKind: UTF8Text(kind)) == action)
    }

    @Test func epochZeroIsARealTime() throws {
        let event = try mapper.map(BeaconRow(id: 1, kind: .text("dns"), timestamp: .integer(0)))
        #expect(event.occurredUnix == 0)
        #expect(event.occurredAt == "1970-01-01T00:00:00Z")
    }

    @Test func timestampsStoredAsTextOrRealAreRead() throws {
        #expect(
            try mapper.map(BeaconRow(id: 1, kind: .text("dns"), timestamp: .text(" 1735000000 "))).occurredUnix
                == 1_735_000_000)
        #expect(try mapper.map(BeaconRow(id: 1, kind: .text("dns"), timestamp: .real(10.9))).occurredUnix == 10)
        #expect(try mapper.map(BeaconRow(id: 1, kind: .text("dns"), timestamp: .real(-0.5))).occurredUnix == -1)
    }

    @Test func extraRules() {
        #expect(AttributesJSON.object(.null) == nil)
        #expect(AttributesJSON.object(.text("")) == nil)
        #expect(AttributesJSON.object(.text("  ")) == nil)
        #expect(AttributesJSON.object(.text("null")) == nil)
        #expect(AttributesJSON.object(.text("{}")) == nil)
        #expect(AttributesJSON.object(.text("oops{"))?.description == #"{"raw":"oops{"}"#)
        #expect(AttributesJSON.object(.text("[1, 2]"))?.description == #"{"raw":[1,2]}"#)
        #expect(AttributesJSON.object(.text("7"))?.description == #"{"raw":7}"#)
        #expect(AttributesJSON.object(.text(#" {"b" : 1, "a":2} "#))?.description == #"{"b":1,"a":2}"#)
        #expect(AttributesJSON.object(.text(#"{"a":1,"a":2}"#))?.description == #"{"a":2}"#)
    }

    @Test func emptyTextIsAbsentAndNumbersInTextColumnsAreKeptAsText() throws {
        let event = try mapper.map(
            BeaconRow(id: 1, tokenID: .integer(99), fileID: .text(""), kind: .text("dns"), timestamp: .integer(1)))
        #expect(event.beacon.tokenID == "99")
        #expect(event.beacon.fileID == nil)
    }

    /// Each file under Tests/Fixtures/bad-rows/ is a row that must be refused with its reason.
    @Test func refusesBadRowsNamingRowAndReason() throws {
        let directory = RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/bad-rows")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 5)
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let row = try FixtureRows.row(fromJSON: text)
            let expected = try JSONParser.parse(text)["expected_error"]?.stringValue ?? "?"
            do {
                _ = try mapper.map(row)
                Issue.record("\(file): mapped a bad row")
            } catch let error as SIEMError {
                guard case .badRow(let id, let message) = error else {
                    Issue.record("\(file): \(error)")
                    continue
                }
                #expect(id == row.id, "\(file)")
                #expect(message.contains(expected), "\(file): \(message)")
                #expect(error.exitCode == 65)
            }
        }
    }

    @Test func registryIDIsRequired() {
        #expect(throws: SIEMError.invalidOption(key: "registry_id", message: "is required")) {
            try OversightBeaconMapper.Options().validate()
        }
    }
}
