/// One SIEM a starter config can be written for (`siem-export init --preset NAME`): the pipeline
/// block it writes and the environment variables that block reads, so the config can name them.
///
/// The blocks use the pipeline presets of `PipelinePresets` where one exists (the batch limits
/// and compression stay in one place); `syslog` and `file` have none and write their plugins out.
enum StarterPreset: String, CaseIterable, Sendable {
    case splunk, elastic, sentinel, chronicle, syslog, file

    /// An environment variable the config reads, and what to put in it.
    struct Variable: Sendable {
        let name: String
        let meaning: String
    }

    static var names: [String] { allCases.map(\.rawValue) }

    /// The first line of the config's header.
    var title: String {
        switch self {
        case .splunk: "Splunk, straight to the HTTP Event Collector (HEC)"
        case .elastic: "Elastic, straight to Elasticsearch's _bulk API (ECS documents)"
        case .sentinel: "Microsoft Sentinel, through the Azure Monitor Logs Ingestion API"
        case .chronicle: "Google SecOps (Chronicle), through a webhook feed"
        case .syslog: "RFC 5424 syslog over TLS to a collector (rsyslog, syslog-ng, a SIEM's syslog input)"
        case .file: "ECS JSON lines in a file, for a forwarder (Filebeat, Elastic Agent, Vector, Fluent Bit) to ship"
        }
    }

    var variables: [Variable] {
        switch self {
        case .splunk:
            [Variable(name: "HEC_TOKEN", meaning: "the HEC token (Settings > Data inputs > HTTP Event Collector)")]
        case .elastic:
            [Variable(name: "ES_API_KEY", meaning: "an API key in its base64 'id:api_key' form (the `encoded` value)")]
        case .sentinel:
            [Variable(name: "AZURE_CLIENT_SECRET", meaning: "the client secret of the app registration (Entra ID)")]
        case .chronicle:
            [
                Variable(name: "SECOPS_API_KEY", meaning: "a Google Cloud API key allowed to call the Chronicle API"),
                Variable(name: "SECOPS_FEED_SECRET", meaning: "the webhook feed's secret key (shown once when made)"),
            ]
        case .syslog, .file: []
        }
    }

    /// The `pipelines:` entry, indented as a list item; `state` is the directory of the state
    /// files as the config will name it (for the `file` preset's output).
    func pipeline(state: String) -> String {
        switch self {
        case .splunk:
            """
              - name: splunk
                preset: splunk                 # formatter splunk_hec; sink splunk_hec, gzip, 1 MB requests
                formatter:
                  index: oversight             # an index the token may write to
                  sourcetype: oversight:beacon
                sink:
                  url: https://splunk.example.internal:8088   # your HEC endpoint (the paths are added)
                  token: ${env:HEC_TOKEN}
                  # indexer_ack: true          # Splunk Enterprise with acknowledgement on the token
                  # ca_file: /etc/siem-export/splunk-ca.pem
            """
        case .elastic:
            """
              - name: elastic
                preset: elastic                # formatter ecs; sink elasticsearch, gzip, 5 MB requests
                sink:
                  url: https://es.example.internal:9200       # your cluster (Elastic Cloud: its Elasticsearch endpoint)
                  index: logs-oversight.beacon-default        # a data stream or index; documents get a stable _id
                  api_key: ${env:ES_API_KEY}
                  # ca_file: /etc/siem-export/es-ca.pem
            """
        case .sentinel:
            """
              - name: sentinel
                preset: sentinel               # formatter sentinel; sink azure_logs_ingestion, 1 MB calls
                # Needs a data collection endpoint, a data collection rule whose stream declares the
                # sentinel formatter's columns (config/sentinel-security-table.json), and an app
                # registration with "Monitoring Metrics Publisher" on the rule. See docs/SIEM.md.
                sink:
                  endpoint: https://oversight-dce-a1b2.westeurope-1.ingest.monitor.azure.com
                  dcr_immutable_id: dcr-00000000000000000000000000000000
                  stream: Custom-OversightBeacon
                  tenant_id: 00000000-0000-0000-0000-000000000000
                  client_id: 00000000-0000-0000-0000-000000000000
                  client_secret: ${env:AZURE_CLIENT_SECRET}
            """
        case .chronicle:
            """
              - name: chronicle
                # Google SecOps has no sink of its own here: the `chronicle` preset is the generic
                # http sink posting newline-separated ECS documents to a webhook feed (Settings >
                # Feeds > Add new feed, source type Webhook, split delimiter \\n), Google's way in for
                # JSON pushed over HTTPS (its API: feeds.importPushLogs). Use your region's host.
                preset: chronicle              # formatter ecs; sink http, body ndjson, 1 MB requests
                sink:
                  url: https://us-chronicle.googleapis.com/v1alpha/projects/PROJECT/locations/us/instances/INSTANCE/feeds/FEED:importPushLogs
                  headers:
                    X-goog-api-key: ${env:SECOPS_API_KEY}
                    X-Webhook-Access-Key: ${env:SECOPS_FEED_SECRET}
                  compression: gzip
            """
        case .syslog:
            """
              - name: syslog
                formatter:
                  type: syslog
                  schema: oversight-syslog-1   # the record's shape; a different build refuses to start
                  hostname: registry.example.org
                  sd_id: beacon@32473          # use your organisation's private enterprise number
                  facility: audit
                  severity: notice
                sink:
                  type: syslog
                  address: syslog.example.org:6514   # HOST:PORT of the collector
                  transport: tls               # certificate and host name verified; or tcp, udp (lossy)
                  # ca_file: /etc/siem-export/syslog-ca.pem
            """
        case .file:
            """
              - name: file
                formatter:
                  type: ecs                    # or splunk_hec, sentinel, ocsf, cef, syslog: `siem-export plugins`
                  schema: oversight-siem-1     # the record's shape; a different build refuses to start
                sink:
                  type: file
                  path: \(StarterConfig.yamlScalar(state + "events.jsonl"))   # its directory must exist; whole lines, fsync per batch
            """
        }
    }
}
