import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// OTLP log records read back by OpenTelemetry's own protobuf definitions (`OpenTelemetryParser`).
@Suite struct OTLPLogFormatterTests {
    @Test func everyGoldenRecordIsAValidOTLPLogRecord() throws {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("otlp/oversight-otlp-1")
        // The beacon's; the other categories' are read in OTLPSecurityLogRecordTests.
        let beaconCases = Set(try FixtureRows.all().map(\.name))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter {
            beaconCases.contains(String($0.dropLast(5)))
        }
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for file in files {
            bytes += try Data(contentsOf: folder.appendingPathComponent(file))
            ends.append(bytes.count)
        }
        let batch = EncodedBatch(
            bytes: bytes, recordEnds: ends, eventIDs: files.indices.map { Int64($0) }, framing: .otlpLogs,
            origin: "reg", schema: "oversight-otlp-1",
            resource: [("service.name", "oversight-registry"), ("oversight.registry_id", "reg")])
        let requests = try OpenTelemetryParser.parse(batch.lineOutput)
        #expect(requests.count == 1)
        let records = requests.first ?? []
        #expect(records.count == files.count)
        let fixtures = Dictionary(uniqueKeysWithValues: try FixtureRows.all().map { ($0.name, $0) })
        let mapper = try FixtureEvents.mapper()
        for (file, record) in zip(files, records) {
            let event = try mapper.map(try #require(fixtures[String(file.dropLast(5))]).row)
            #expect(record["id"] as? String == String(event.eventID), "\(file)")
            #expect(record["name"] as? String == event.actionName, "\(file)")
            let expectedTime =
                event.occurredUnix > 0 && event.occurredUnix < 18_446_744_073 ? "\(event.occurredUnix)000000000" : "0"
            #expect(record["time"] as? String == expectedTime, "\(file)")
            #expect(record["scope"] as? String == "oversight-otlp-1")
        }
    }
}
