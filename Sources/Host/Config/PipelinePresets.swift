import Yams

/// `preset:` — a pipeline's formatter, sink type and batch limits for one SIEM, in one line.
/// Every preset value can be overridden by writing the key in the pipeline's own `formatter:` or
/// `sink:`; only what a preset cannot know (the URL, the credentials) must be written.
enum PipelinePresets {
    struct Preset {
        var formatter: [(String, String)]
        var sink: [(String, String)]
        var summary: String
    }

    static let all: [String: Preset] = [
        "splunk": Preset(
            formatter: [("type", "splunk_hec")],
            sink: [("type", "splunk_hec"), ("max_batch_bytes", "1000000"), ("compression", "gzip")],
            summary: "HEC envelopes to Splunk's HTTP Event Collector; you add url and token"),
        "elastic": Preset(
            formatter: [("type", "ecs")],
            sink: [("type", "elasticsearch"), ("max_batch_bytes", "5000000"), ("compression", "gzip")],
            summary: "ECS documents to Elasticsearch _bulk; you add url and api_key (or username/password)"),
        "sentinel": Preset(
            formatter: [("type", "sentinel")],
            sink: [("type", "azure_logs_ingestion"), ("max_batch_bytes", "1000000")],
            summary:
                "flat rows to Azure Monitor's Logs Ingestion API; you add endpoint, dcr_immutable_id, stream, tenant_id, client_id, client_secret"
        ),
        "chronicle": Preset(
            formatter: [("type", "ecs")],
            sink: [("type", "http"), ("body", "ndjson"), ("max_batch_bytes", "1000000")],
            summary:
                "newline-separated JSON to a Google SecOps webhook feed; you add url and headers X-goog-api-key and X-Webhook-Access-Key"
        ),
        // Azure Event Hubs' Kafka endpoint: TLS on 9093, SASL PLAIN with the user `$ConnectionString`
        // and the namespace's connection string as the password; requests under 1,046,528 bytes
        // (the service closes the connection on larger ones) and idle connections closed before
        // its 240 s cut (learn.microsoft.com/azure/event-hubs/apache-kafka-configurations). No
        // codec: gzip is the only one it documents, and not on every tier.
        "event_hubs": Preset(
            formatter: [("type", "sentinel")],
            sink: [
                ("type", "kafka"), ("default_port", "9093"), ("tls", "true"), ("sasl_mechanism", "plain"),
                ("sasl_username", "$ConnectionString"), ("max_message_bytes", "1000000"),
                ("batch_bytes", "1000000"), ("compression", "none"), ("connections_max_idle_ms", "180000"),
            ],
            summary:
                "flat rows to an Azure Event Hub through its Kafka endpoint; you add brokers (NAMESPACE.servicebus.windows.net), topic (the event hub) and sasl_password (the connection string)"
        ),
        "generic": Preset(
            formatter: [("type", "ecs")],
            sink: [("type", "http"), ("body", "json_array")],
            summary: "a JSON array per batch to any HTTPS collector; you add url (and headers)"),
    ]

    /// The pipeline's `formatter:` or `sink:` node with the preset's values under it: keys the
    /// pipeline writes win; a different `type` is refused (the preset's other values would not
    /// apply to it).
    static func merge(
        _ node: Node?, preset pairs: [(String, String)], presetName: String, path: String,
        reader: inout NodeReader, at mark: Mark?
    ) -> Node {
        let own = node?.mapping
        if let own, let type = own["type"]?.string, let presetType = pairs.first(where: { $0.0 == "type" })?.1,
            type != presetType
        {
            // The preset's other values are for its own type: only this error, none about them.
            reader.report(
                own["type"], path + ".type",
                "preset '\(presetName)' uses \(presetType); remove `preset:` to use \(type)")
            return .mapping(own)
        }
        var merged: [(Node, Node)] = []
        for (key, value) in pairs where own?[key] == nil {
            merged.append((Node(key), Node(value)))
        }
        if let own {
            for (key, value) in own { merged.append((key, value)) }
        } else if let node {
            reader.report(node, path, "expected a mapping of options to add to the preset's")
        }
        return .mapping(Node.Mapping(merged, .implicit, .block, own?.mark ?? mark))
    }
}
