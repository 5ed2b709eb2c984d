import Foundation
import SIEMCore
import SIEMSinks
import SIEMTestSupport
import Testing

@Suite struct ElasticsearchSinkTests {
    func sink(
        _ es: FakeElasticsearch, configure: (inout ElasticsearchSink.Options) -> Void = { _ in }
    ) throws
        -> ElasticsearchSink
    {
        var options = ElasticsearchSink.Options()
        options.url = es.url
        options.apiKey = "c2llbTpzZWNyZXQta2V5"
        options.http.retry.retryInitialMS = 1
        options.http.retry.retryMaxMS = 20
        configure(&options)
        try options.validate()
        return try ElasticsearchSink(
            options: options, context: PluginContext(baseDirectory: "/", pipelineName: "elastic"))
    }

    /// A batch as the runner makes it for this sink: each record after its action line, in the
    /// framing the sink asks for.
    func batch(_ ids: ClosedRange<Int64>, padding: Int = 0) -> EncodedBatch {
        let framing = ElasticsearchSink.framings(for: ElasticsearchSink.Options())[0]
        #expect(framing == .elasticsearchBulk(index: "oversight-beacons"))
        let framer = RecordFramer(framing)
        var writer = RecordWriter()
        var ends: [Int] = []
        for id in ids {
            framer.writePrefix(eventID: id, origin: "reg1", into: &writer)
            writer.appendRaw(Array(#"{"id":\#(id),"pad":"\#(String(repeating: "x", count: padding))"}"#.utf8))
            writer.endRecord()
            ends.append(writer.count)
        }
        return EncodedBatch(
            bytes: writer.bytes, recordEnds: ends, eventIDs: Array(ids), framing: framing, origin: "reg1")
    }

    @Test func createsEachDocumentOnceUnderAStableID() async throws {
        let es = try FakeElasticsearch()
        defer { es.stop() }
        let sink = try sink(es)
        try await sink.start()
        #expect(try await sink.send(batch(1...5)).accepted == 5)
        #expect(es.ids == (1...5).map { "reg1:\($0)" })
        #expect(es.document("reg1:3")?["id"] as? Int == 3)
        let bulk = try #require(es.server.requests.last)
        #expect(bulk.header("Content-Type") == "application/x-ndjson")
        #expect(String(decoding: bulk.body, as: UTF8.self).hasSuffix("\n"))
        #expect(
            String(decoding: bulk.body, as: UTF8.self).hasPrefix(
                #"{"create":{"_index":"oversight-beacons","_id":"reg1:1"}}"#))
    }

    @Test func aResentBatchCreatesNoDuplicateAndCountsAsDelivered() async throws {
        let es = try FakeElasticsearch()
        defer { es.stop() }
        let sink = try sink(es)
        _ = try await sink.send(batch(1...4))
        #expect(try await sink.send(batch(1...6)).accepted == 6)
        #expect(es.ids == (1...6).map { "reg1:\($0)" })
    }

    @Test func throttledItemsAreRetriedAloneUntilCreated() async throws {
        let es = try FakeElasticsearch { id, attempt in
            id == "reg1:2" && attempt < 2 ? (429, "es_rejected_execution_exception", "queue full") : nil
        }
        defer { es.stop() }
        #expect(try await sink(es).send(batch(1...3)).accepted == 3)
        let bulks = es.server.requests.filter { $0.path == "/_bulk" }
        #expect(bulks.count == 3)
        #expect(
            String(decoding: bulks[2].body, as: UTF8.self).split(separator: "\n").count == 2, "only the throttled item")
        #expect(Set(es.ids) == Set((1...3).map { "reg1:\($0)" }))
    }

    /// A mapping error refuses one document for good: it is set aside with Elasticsearch's
    /// reason and every other document is delivered (no single event can stop the pipeline).
    @Test func aRefusedDocumentIsSetAsideAndTheRestIsDelivered() async throws {
        let es = try FakeElasticsearch(maxBodyBytes: 1_100) { id, _ in
            id == "reg1:7" ? (400, "mapper_parsing_exception", "failed to parse field [source.ip] of type [ip]") : nil
        }
        defer { es.stop() }
        let delivery = try await sink(es) { $0.maxBatchBytes = 1_100 }.send(batch(1...9, padding: 200))
        #expect(delivery.accepted == 8)
        #expect(
            delivery.refused == [
                Refusal(
                    index: 6,
                    reason:
                        "Elasticsearch refused event 7 (status 400): mapper_parsing_exception: failed to parse field [source.ip] of type [ip]"
                )
            ])
        #expect(Set(es.ids) == Set((1...9).filter { $0 != 7 }.map { "reg1:\($0)" }))
    }

    @Test func aDocumentLargerThanTheClusterTakesIsRefusedUnsent() async throws {
        let es = try FakeElasticsearch()
        defer { es.stop() }
        var small = batch(1...2)
        let large = batch(3...3, padding: 3_000)
        small.bytes += large.bytes
        small.recordEnds += large.recordEnds.map { $0 + small.recordEnds.last! }
        small.eventIDs += large.eventIDs
        let delivery = try await sink(es) { $0.maxContentLength = 2_048 }.send(small)
        #expect(delivery.accepted == 2)
        #expect(delivery.refused.map(\.index) == [2])
        #expect(delivery.refused.first?.reason.contains("takes at most 2048 (not sent)") == true)
        #expect(es.ids == ["reg1:1", "reg1:2"])
        #expect(es.server.requests.allSatisfy { $0.body.count < 2_048 }, "the large one never went out")
    }

    @Test func aRequestTooLargeIsSplitUntilItFits() async throws {
        let es = try FakeElasticsearch(maxBodyBytes: 1_500)
        defer { es.stop() }
        #expect(try await sink(es).send(batch(1...20, padding: 60)).accepted == 20)
        #expect(es.ids == (1...20).map { "reg1:\($0)" })
        #expect(es.server.requests.contains { $0.body.count > 1_500 }, "the first attempt was refused with 413")
    }

    @Test func serverErrorsAreRetriedAndBadCredentialsStop() async throws {
        let calls = Counter()
        let flaky = try LoopbackHTTPServer { _ in
            calls.next() == 0 ? .json(503, "{}") : .json(200, #"{"errors":false,"items":[{"create":{"status":201}}]}"#)
        }
        defer { flaky.stop() }
        var options = ElasticsearchSink.Options()
        options.url = flaky.baseURL
        options.http.retry.retryInitialMS = 1
        let retried = try ElasticsearchSink(options: options, context: PluginContext(baseDirectory: "/"))
        #expect(try await retried.send(batch(1...1)).accepted == 1)

        let es = try FakeElasticsearch()
        defer { es.stop() }
        let wrong = try sink(es) {
            $0.apiKey = nil
            $0.username = "elastic"
            $0.password = "not-the-password"
        }
        do {
            try await wrong.start()
            Issue.record("bad credentials accepted")
        } catch let error as SIEMError {
            #expect(error.description.contains("credentials refused: HTTP 401"))
            #expect(!error.description.contains("not-the-password"))
        }
        let request = try #require(es.server.requests.last)
        #expect(
            request.header("Authorization") == "Basic " + Data("elastic:not-the-password".utf8).base64EncodedString())
    }

    @Test(arguments: ["Upper", "has space", "", "a/b"])
    func refusesIndexNamesElasticsearchRefuses(_ index: String) {
        var options = ElasticsearchSink.Options()
        options.url = "https://es:9200"
        options.index = index
        #expect(throws: SIEMError.self) { try options.validate() }
    }
}
