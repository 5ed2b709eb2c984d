import Foundation
import SIEMCore
import SIEMFormatters
import SIEMInputs
import SIEMTestSupport
import Testing

@testable import SIEMHost
@testable import SIEMSinks

/// The `kafka` sink inside a pipeline: the checkpoint never passes a batch Kafka did not
/// confirm, and the `event_hubs` preset fills in what Azure Event Hubs' Kafka endpoint needs.
@Suite struct KafkaPipelineTests {
    let mapper: OversightBeaconMapper = {
        var options = OversightBeaconMapper.Options()
        options.registryID = "reg"
        return try! OversightBeaconMapper(options: options, context: PluginContext(baseDirectory: "/"))
    }()

    static func rows(_ ids: ClosedRange<Int64>) -> [BeaconRow] {
        ids.map { BeaconRow(id: $0, tokenID: .text("t\($0)"), kind: .text("dns"), timestamp: .integer(1_000 + $0)) }
    }

    static func pipeline(_ cluster: KafkaMockCluster) throws -> AssembledPipeline {
        let brokers = cluster.bootstrapServers.split(separator: ",").map { #""\#($0)""# }.joined(separator: ",")
        let options = try JSONOptions(
            #"{"brokers":[\#(brokers)],"topic":"events","linger_ms":1,"message_timeout_ms":1500}"#)
        let sink = try #require(BuiltInPlugins.registry.sinks["kafka"]).make(
            options: options, context: PluginContext(baseDirectory: "/", pipelineName: "kafka"))
        return AssembledPipeline(
            name: "kafka", formatter: try ECSFormatter(options: .init(), context: PluginContext(baseDirectory: "/")),
            formatterID: "ecs", framing: .ndjson, sink: sink, sinkID: "kafka")
    }

    /// Brokers that stop answering (their answers held back 10 s, past `message_timeout_ms`):
    /// the mock's own down-and-up re-binds its port and aborts the process if that is taken.
    @Test func brokersLostMidRunLeaveTheCheckpointBeforeTheUnconfirmedBatch() async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("events", partitions: 2)
        let pipeline = try Self.pipeline(cluster)
        let source = ArraySource(rows: Self.rows(1...30))
        var checkpoint = SourcePosition.start
        func run(startSinks: Bool) async throws {
            var plan = RunPlan(query: SourceQuery(after: checkpoint), startAfter: [checkpoint], limit: nil)
            plan.startSinks = startSinks
            plan.onDelivered = { _, last in checkpoint = last }
            _ = try await PipelineRunner(batchSize: 10).run(
                source: source, mapper: mapper, pipelines: [pipeline], plan: plan)
        }
        var first = RunPlan(query: SourceQuery(through: 10), startAfter: [.start])
        first.onDelivered = { _, last in checkpoint = last }
        _ = try await PipelineRunner(batchSize: 10).run(
            source: source, mapper: mapper, pipelines: [pipeline], plan: first)
        #expect(checkpoint == 10)

        try cluster.setRoundTripTime(broker: 1, milliseconds: 10_000)
        do {
            try await run(startSinks: false)
            Issue.record("a run with every broker down succeeded")
        } catch let error as SIEMError {
            #expect(error.exitCode == 75, "retryable: follow mode waits it out, a one-shot run exits 75: \(error)")
        }
        #expect(checkpoint == 10, "the checkpoint stays before the batch Kafka did not confirm")

        try cluster.setRoundTripTime(broker: 1, milliseconds: 0)
        // Follow mode's rounds, from the checkpoint, until librdkafka has reconnected.
        for _ in 1...10 where checkpoint < 30 { try? await run(startSinks: false) }
        #expect(checkpoint == 30)
        try await pipeline.sink.close()
        let records = try await cluster.consumeWithKafkaPython(topic: "events", count: 30)
        let ids = records.map { Int64(String(decoding: $0.key, as: UTF8.self)) ?? -1 }
        #expect(Set(ids) == Set(1...30), "every event arrived (at least once)")
        for record in records {
            let document = try JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any]
            #expect(
                (document?["event"] as? [String: Any])?["id"] as? String == String(decoding: record.key, as: UTF8.self))
        }
    }

    static func eventHubsConfig(_ directory: TemporaryDirectory, sink: String) throws -> PipelineConfigFile {
        let db = directory.appending("registry.sqlite").path
        try DemoRegistryWriter(rows: 1).write(to: db)
        let yaml = """
            version: 1
            source: {type: oversight_registry, path: \(db)}
            mapper: {type: oversight_beacon, registry_id: reg}
            checkpoint: {path: \(directory.appending("state.sqlite").path)}
            pipelines:
              - name: hubs
                preset: event_hubs
                sink: \(sink)
            """
        return try ConfigLoader(environment: ["EVENT_HUBS_CONNECTION": "Endpoint=sb://ns.example/;SharedAccessKey=k3y"])
            .parse(yaml: yaml, file: "hubs.yaml", baseDirectory: directory.url.path)
    }

    @Test func theEventHubsPresetFillsInPortTLSAndSASLAndKeepsRequestsUnderTheLimit() throws {
        let directory = try TemporaryDirectory("siem-event-hubs")
        let config = try Self.eventHubsConfig(
            directory,
            sink:
                #"{brokers: [ns.servicebus.windows.net], topic: oversight, sasl_password: "${env:EVENT_HUBS_CONNECTION}"}"#
        )
        let assembled = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(config)
        let pipeline = try #require(assembled.pipelines.first)
        #expect(pipeline.formatterID == "sentinel")
        #expect(pipeline.framing == .ndjson)
        let sink = try #require(pipeline.sink as? KafkaSink)
        #expect(sink.destination == "kafka://ns.servicebus.windows.net:9093/oversight")
        let settings = Dictionary(sink.config.librdkafkaSettings.map { ($0.key, $0.value) }) { _, last in last }
        #expect(settings["security.protocol"] == "sasl_ssl")
        #expect(settings["sasl.mechanism"] == "PLAIN")
        #expect(settings["sasl.username"] == "$ConnectionString")
        #expect(settings["sasl.password"] == "Endpoint=sb://ns.example/;SharedAccessKey=k3y")
        #expect(settings["compression.type"] == "none")
        #expect(settings["connections.max.idle.ms"] == "180000")
        // Event Hubs closes the connection on a request over 1,046,528 bytes; librdkafka keeps
        // each ProduceRequest within message.max.bytes.
        #expect(Int(settings["message.max.bytes"] ?? "") ?? .max < 1_046_528)
        #expect(Int(settings["batch.size"] ?? "") ?? .max < 1_046_528)
        #expect(OutputRedaction.shared.leaks("Endpoint=sb://ns.example/;SharedAccessKey=k3y"))
    }

    @Test func theEventHubsPasswordMustBeAReference() throws {
        let directory = try TemporaryDirectory("siem-event-hubs-inline")
        let config = try Self.eventHubsConfig(
            directory,
            sink: #"{brokers: [ns.servicebus.windows.net], topic: oversight, sasl_password: "Endpoint=sb://x"}"#)
        do {
            _ = try PipelineAssembler(registry: BuiltInPlugins.registry, dryRun: true).assemble(config)
            Issue.record("an inline connection string was accepted")
        } catch let errors as ConfigErrors {
            let text = errors.diagnostics.map(\.description).joined(separator: "\n")
            #expect(
                text.contains("pipelines[0].sink.sasl_password: a credential must be given by reference"), "\(text)")
            #expect(!text.contains("Endpoint=sb://x"))
        }
    }
}
