import Foundation
import SIEMCore
import SIEMInputs
import SIEMTestSupport
import Testing

@testable import SIEMHost

/// Thousands of random rows through the mapper and every registered formatter: every record is
/// one JSON document Foundation's strict parser accepts, and it carries the row's id and time.
/// Rows the mapper refuses must be refused for a reason the docs give (time or kind unusable).
@Suite struct RandomRowsPropertyTests {
    /// Whether the parsed document holds `value` anywhere (as a string or a number).
    static func contains(_ node: Any, _ matches: (Any) -> Bool) -> Bool {
        if matches(node) { return true }
        if let object = node as? [String: Any] { return object.values.contains { contains($0, matches) } }
        if let array = node as? [Any] { return array.contains { contains($0, matches) } }
        return false
    }

    @Test func everyFormatterTurnsRandomRowsIntoParsableRecordsWithTheirIdAndTime() throws {
        var random = SeededRandom()
        let context = PluginContext(baseDirectory: "/")
        var mapperOptions = OversightBeaconMapper.Options()
        mapperOptions.registryID = "reg"
        let mapper = try OversightBeaconMapper(options: mapperOptions, context: context)
        let formatters = try BuiltInPlugins.registry.formatters.map {
            try $0.value.make(options: try SampleFormatterOptions.options(for: $0.key), context: context)
        }
        #expect(formatters.count >= 3)
        var exported = 0
        for id in Int64(1)...3_000 {
            let timestamp: SQLValue =
                Int.random(in: 0...9, using: &random) == 0
                ? RandomRows.randomValue(&random)
                : .integer(Int64.random(in: -62_135_596_800...253_402_300_799, using: &random))
            let row = BeaconRow(
                id: id, tokenID: RandomRows.randomValue(&random), fileID: RandomRows.randomValue(&random),
                recipientID: RandomRows.randomValue(&random), issuerID: RandomRows.randomValue(&random),
                kind: Int.random(in: 0...19, using: &random) == 0 ? RandomRows.randomValue(&random) : .text("dns"),
                sourceIP: RandomRows.randomValue(&random), userAgent: RandomRows.randomValue(&random),
                extra: RandomRows.randomExtra(&random), timestamp: timestamp,
                qualifiedTimestamp: RandomRows.randomValue(&random),
                tlogIndex: Int.random(in: 0...3, using: &random) == 0 ? RandomRows.randomValue(&random) : .integer(id))
            let event: Event
            do {
                event = try mapper.map(row)
            } catch let error as SIEMError {
                let reason = try #require(error.badRowReason, "\(error)")
                #expect(
                    ["`timestamp`", "`kind`", "`tlog_index`"].contains { reason.hasPrefix($0) },
                    "row \(id): \(reason); \(random.note)")
                continue
            }
            exported += 1
            for formatter in formatters {
                var writer = RecordWriter()
                try formatter.encode(event, into: &writer)
                let bytes = writer.bytes
                #expect(!bytes.contains(0x0A) && !bytes.contains(0x0D), "one line per record; \(random.note)")
                if type(of: formatter).framings == [.lines] {
                    // Text formats: parsed by their own suites' parsers; here, the line holds the
                    // id and the time as those formats write them.
                    let line = String(decoding: bytes, as: UTF8.self)
                    #expect(
                        line.contains("externalId=\(id) ") || line.contains(" id=\"\(id)\""),
                        "row \(id): id; \(random.note)")
                    #expect(
                        line.contains("rt=\(event.occurredUnix * 1_000) ") || line.contains(event.occurredAt),
                        "row \(id); \(random.note)")
                    continue
                }
                let parsed = try JSONSerialization.jsonObject(with: Data(bytes))
                let time = RFC3339.string(fromUnixSeconds: event.occurredUnix)
                #expect(
                    Self.contains(parsed) { ($0 as? String) == String(id) }, "row \(id): id missing; \(random.note)")
                #expect(
                    Self.contains(parsed) {
                        ($0 as? String) == time || ($0 as? NSNumber)?.int64Value == event.occurredUnix
                            || ($0 as? NSNumber)?.int64Value == event.occurredUnix * 1_000  // OCSF: milliseconds
                    },
                    "row \(id): time missing; \(random.note)")
            }
        }
        #expect(exported > 1_500, "most random rows are exportable")
    }
}
