import Foundation
import SIEMCore
import SIEMInputs
import Testing

@testable import SIEMHost

/// Thousands of random rows through the mapper and every registered formatter: every record is
/// one JSON document Foundation's strict parser accepts, and it carries the row's id and time.
/// Rows the mapper refuses must be refused for a reason the docs give (time or kind unusable).
@Suite struct RandomRowsPropertyTests {
    /// Text from pieces that stress escaping: quotes, backslashes, controls, DEL, non-ASCII,
    /// astral characters, a lone surrogate's UTF-8 (made invalid on purpose) and JSON syntax.
    static func randomText(_ random: inout some RandomNumberGenerator) -> SQLValue {
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("\"".utf8), Array("\\".utf8), [0x00], [0x01], [0x1F], [0x7F], Array("é".utf8),
            Array("李".utf8), Array("😀".utf8), [0xED, 0xA0, 0x80], [0xFF], Array("{".utf8), Array("}".utf8),
            Array("\n".utf8), Array("\u{2028}".utf8), Array(" ".utf8), Array("1e999".utf8),
        ]
        let bytes = (0..<Int.random(in: 0...12, using: &random)).flatMap { _ in pieces.randomElement(using: &random)! }
        return .text(bytes.withUnsafeBufferPointer { TextArena().append(utf8: $0) })
    }

    static func randomValue(_ random: inout some RandomNumberGenerator) -> SQLValue {
        switch Int.random(in: 0...9, using: &random) {
        case 0: return .null
        case 1: return .integer(Int64.random(in: .min ... .max, using: &random))
        case 2: return .real(Double.random(in: -1e300...1e300, using: &random))
        case 3:
            return .blob(
                (0..<Int.random(in: 0...4, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        default: return randomText(&random)
        }
    }

    static func randomExtra(_ random: inout some RandomNumberGenerator) -> SQLValue {
        let samples = [
            #"{"qname":"x.example","qtype":"A"}"#, #"{"a":1,"a":2}"#, #"[1,2]"#, "not json", "", "null", "{}",
            #"{"n":123456789012345678901234567890}"#, #"{"s":"\ud800"}"#, #" { "k" : [ true , null ] } "#,
        ]
        if Bool.random(using: &random) { return randomText(&random) }
        return .text(UTF8Text(samples.randomElement(using: &random)!))
    }

    /// Whether the parsed document holds `value` anywhere (as a string or a number).
    static func contains(_ node: Any, _ matches: (Any) -> Bool) -> Bool {
        if matches(node) { return true }
        if let object = node as? [String: Any] { return object.values.contains { contains($0, matches) } }
        if let array = node as? [Any] { return array.contains { contains($0, matches) } }
        return false
    }

    @Test func everyFormatterTurnsRandomRowsIntoParsableRecordsWithTheirIdAndTime() throws {
        var random = SystemRandomNumberGenerator()
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
                ? Self.randomValue(&random)
                : .integer(Int64.random(in: -62_135_596_800...253_402_300_799, using: &random))
            let row = SourceRow(
                id: id, tokenID: Self.randomValue(&random), fileID: Self.randomValue(&random),
                recipientID: Self.randomValue(&random), issuerID: Self.randomValue(&random),
                kind: Int.random(in: 0...19, using: &random) == 0 ? Self.randomValue(&random) : .text("dns"),
                sourceIP: Self.randomValue(&random), userAgent: Self.randomValue(&random),
                extra: Self.randomExtra(&random), timestamp: timestamp, qualifiedTimestamp: Self.randomValue(&random),
                tlogIndex: Int.random(in: 0...3, using: &random) == 0 ? Self.randomValue(&random) : .integer(id))
            let event: Event
            do {
                event = try mapper.map(row)
            } catch let error as SIEMError {
                let reason = try #require(error.badRowReason, "\(error)")
                #expect(
                    ["`timestamp`", "`kind`", "`tlog_index`"].contains { reason.hasPrefix($0) }, "row \(id): \(reason)")
                continue
            }
            exported += 1
            for formatter in formatters {
                var writer = RecordWriter()
                try formatter.encode(event, into: &writer)
                let bytes = writer.bytes
                #expect(!bytes.contains(0x0A) && !bytes.contains(0x0D), "one line per record")
                if type(of: formatter).framings == [.lines] {
                    // Text formats: parsed by their own suites' parsers; here, the line holds the
                    // id and the time as those formats write them.
                    let line = String(decoding: bytes, as: UTF8.self)
                    #expect(line.contains("externalId=\(id) ") || line.contains(" id=\"\(id)\""), "row \(id): id")
                    #expect(
                        line.contains("rt=\(event.occurredUnix * 1_000) ") || line.contains(event.occurredAt),
                        "row \(id)")
                    continue
                }
                let parsed = try JSONSerialization.jsonObject(with: Data(bytes))
                let time = RFC3339.string(fromUnixSeconds: event.occurredUnix)
                #expect(Self.contains(parsed) { ($0 as? String) == String(id) }, "row \(id): id missing")
                #expect(
                    Self.contains(parsed) {
                        ($0 as? String) == time || ($0 as? NSNumber)?.int64Value == event.occurredUnix
                            || ($0 as? NSNumber)?.int64Value == event.occurredUnix * 1_000  // OCSF: milliseconds
                    },
                    "row \(id): time missing")
            }
        }
        #expect(exported > 1_500, "most random rows are exportable")
    }
}
