import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMHost
@testable import SIEMSinks

/// The same contract for every registered plugin, so a new formatter or sink gets the checks for
/// free: a formatter writes one record per event, strict JSON where JSON, carrying each event's
/// id and time, and its records survive every framing it declares (one line each, one array, a
/// `_bulk` body of action and document lines, an OTLP request); a sink settles an empty batch, a
/// batch of one and a batch of many, and what its receiver got is each record once, in order.
@Suite(.serialized) struct PluginConformanceTests {
    static let formatterIDs = BuiltInPlugins.registry.formatters.keys.sorted()
    static let sinkIDs = BuiltInPlugins.registry.sinks.keys.sorted()

    static func formatter(_ id: String) throws -> any EventFormatter {
        let entry = try #require(BuiltInPlugins.registry.formatters[id])
        return try entry.make(
            options: try SampleFormatterOptions.options(for: id), context: PluginContext(baseDirectory: "/"))
    }

    static func pipeline(formatter id: String, framing: Framing, sink: any EventSink) throws -> AssembledPipeline {
        AssembledPipeline(
            name: "conformance", formatter: try formatter(id), formatterID: id, framing: framing, sink: sink,
            sinkID: "test")
    }

    /// The fixture events, framed for `framing` by `formatterID`.
    static func batch(
        _ formatterID: String, _ framing: Framing, count: Int? = nil, from start: Int = 0
    ) throws
        -> EncodedBatch
    {
        var events = Array(try FixtureEvents.all().map(\.event).dropFirst(start))
        if let count { events = Array(events.prefix(count)) }
        var writer = RecordWriter()
        return try BatchEncoder.encode(
            events, positions: events.map { SourcePosition(id: $0.eventID) }, after: nil,
            with: pipeline(formatter: formatterID, framing: framing, sink: InMemorySink()),
            writer: &writer
        ).0
    }

    /// A framing of each kind, with the parameters a sink would give it.
    static func framing(_ kind: FramingKind) -> Framing {
        switch kind {
        case .ndjson: return .ndjson
        case .concatenated: return .concatenated
        case .jsonArray: return .jsonArray
        case .lines: return .lines
        case .otlpLogs: return .otlpLogs
        case .elasticsearchBulk: return .elasticsearchBulk(index: "conformance")
        }
    }

    @Test(arguments: formatterIDs)
    func everyFormatterWritesOneRecordPerEventCarryingItsIDAndTime(_ id: String) throws {
        let formatter = try Self.formatter(id)
        let fixtures = try FixtureEvents.all()
        for (name, event) in fixtures {
            let bytes = try FixtureEvents.record(formatter, event)
            #expect(bytes == (try FixtureEvents.record(formatter, event)), "\(id) \(name): the same bytes every time")
            #expect(String(validating: bytes, as: UTF8.self) != nil, "\(id) \(name): valid UTF-8")
            #expect(bytes.dropLast().allSatisfy { $0 != 0x0A && $0 != 0x0D }, "\(id) \(name): one line")
            let text = String(decoding: bytes.dropLast(), as: UTF8.self)
            #expect(text.contains(String(event.eventID)), "\(id) \(name): carries the event id")
            let times = [RFC3339.string(fromUnixSeconds: event.occurredUnix), String(event.occurredUnix)]
            #expect(times.contains { text.contains($0) }, "\(id) \(name): carries the event time")
            if type(of: formatter).framings != [.lines] {
                let parsed = try JSONSerialization.jsonObject(with: Data(bytes))
                #expect(parsed is [String: Any], "\(id) \(name): one JSON object")
            }
        }
    }

    @Test(arguments: formatterIDs)
    func everyFramingAFormatterDeclaresRoundTrips(_ id: String) throws {
        let count = try FixtureEvents.all().count
        let kinds = try #require(BuiltInPlugins.registry.formatters[id]).description.framings
        #expect(!kinds.isEmpty)
        for kind in kinds {
            let framing = Self.framing(kind)
            for n in [0, 1, count] {
                let batch = try Self.batch(id, framing, count: n)
                #expect(batch.count == n && batch.eventIDs.count == n, "\(id) \(kind): one record per event")
                let body = batch.body(0..<batch.count)
                #expect(body.count == batch.bodySize(0..<batch.count) || n == 0, "\(id) \(kind): size as announced")
                switch kind {
                case .ndjson, .concatenated, .lines:
                    let lines = body.split(separator: 0x0A)
                    #expect(lines.count == n, "\(id) \(kind) of \(n)")
                    if kind != .lines {
                        for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line)) }
                    }
                case .jsonArray:
                    let array = try JSONSerialization.jsonObject(with: Data(n == 0 ? Array("[]".utf8) : body))
                    #expect((array as? [Any])?.count == n, "\(id) json_array of \(n)")
                case .elasticsearchBulk:
                    let lines = body.split(separator: 0x0A)
                    #expect(lines.count == 2 * n, "\(id) _bulk of \(n): an action line per document")
                    for (index, line) in lines.enumerated() {
                        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
                        if index % 2 == 0 { #expect(object["create"] != nil) }
                    }
                    if n > 0 {
                        #expect(
                            String(decoding: batch.document(0), as: UTF8.self)
                                == String(
                                    decoding: try FixtureEvents.record(
                                        try Self.formatter(id), try FixtureEvents.all()[0].event
                                    ).dropLast(), as: UTF8.self),
                            "the document is the formatter's record")
                    }
                case .otlpLogs:
                    guard n > 0 else { continue }
                    let requests = try OpenTelemetryParser.parse(batch.lineOutput)
                    #expect(requests.map(\.count) == [n], "\(id) otlp_logs of \(n): one request")
                }
            }
        }
    }

    @Test(arguments: sinkIDs)
    func everySinkSettlesEmptyOneAndManyRecordsInOrder(_ id: String) async throws {
        let bed = try #require(
            try SinkTestBed.make(id), "no test bed for sink '\(id)': add one to SinkTestBed.make")
        defer { bed.stop() }
        let entry = try #require(BuiltInPlugins.registry.sinks[id])
        let accepted = try entry.acceptedFramings(options: bed.options)
        let fitting = try #require(
            bed.formatter
                ?? Self.formatterIDs.first { formatterID in
                    Framing.negotiate(
                        produced: BuiltInPlugins.registry.formatters[formatterID]!.description.framings,
                        accepted: accepted)
                        != nil
                }, "no formatter fits \(id)")
        let framing = try #require(
            Framing.negotiate(
                produced: BuiltInPlugins.registry.formatters[fitting]!.description.framings, accepted: accepted))
        let sink = try bed.sink ?? entry.make(options: bed.options, context: PluginContext(baseDirectory: "/"))
        try await sink.start()
        let empty = try Self.batch(fitting, framing, count: 0)
        #expect(try await sink.send(empty).settled == 0)
        let one = try Self.batch(fitting, framing, count: 1)
        #expect(try await sink.send(one) == Delivery(accepted: 1), "\(id): a batch of one")
        let many = try Self.batch(fitting, framing, from: 1)
        #expect(try await sink.send(many) == Delivery(accepted: many.count), "\(id): a batch of \(many.count)")
        try await sink.close()
        let received = try await bed.receivedIDs(1 + many.count)
        #expect(received == one.eventIDs + many.eventIDs, "\(id) with \(fitting): each record once, in order")
    }
}
