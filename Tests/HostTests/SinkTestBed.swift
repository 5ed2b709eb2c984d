import Foundation
import SIEMCore
import SIEMTestSupport

@testable import SIEMSinks

#if canImport(Glibc)
    import Glibc
#endif

/// A registered sink with a receiver to deliver to and a way to read back, in order, the event
/// ids the receiver got: what `PluginConformanceTests` needs of every sink. A new sink needs one
/// case here (the test fails naming it until it has one).
final class SinkTestBed {
    /// The sink's options, pointing at the receiver.
    let options: JSONOptions
    /// A sink made by hand, for one the registry cannot point at a test receiver (stdout).
    let sink: (any EventSink)?
    /// The formatter to feed it with, when the first one that fits is not the one to read back.
    let formatter: String?
    /// The ids received, once `expected` records are (receivers that write asynchronously).
    let receivedIDs: (_ expected: Int) async throws -> [Int64]
    let stop: () -> Void

    init(
        options: String, sink: (any EventSink)? = nil, formatter: String? = nil,
        receivedIDs: @escaping (_ expected: Int) async throws -> [Int64], stop: @escaping () -> Void = {}
    ) throws {
        self.options = try JSONOptions(options)
        self.sink = sink
        self.formatter = formatter
        self.receivedIDs = receivedIDs
        self.stop = stop
    }

    static func make(_ id: String) throws -> SinkTestBed? {
        switch id {
        case "file":
            let folder = try TemporaryDirectory("siem-bed-file")
            let path = folder.appending("out.jsonl").path
            return try SinkTestBed(
                options: #"{"path":"\#(path)"}"#,
                receivedIDs: { _ in try EventIDs.inLines(String(contentsOfFile: path, encoding: .utf8)) },
                stop: { withExtendedLifetime(folder) {} })
        case "stdout":
            let folder = try TemporaryDirectory("siem-bed-stdout")
            let path = folder.appending("out").path
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            return try SinkTestBed(
                options: "{}", sink: StdoutSink(fileDescriptor: fd),
                receivedIDs: { _ in try EventIDs.inLines(String(contentsOfFile: path, encoding: .utf8)) },
                stop: {
                    close(fd)
                    withExtendedLifetime(folder) {}
                })
        case "http", "log_analytics_data_collector":
            let server = try LoopbackHTTPServer { _ in .json(200, "{}") }
            let options =
                id == "http"
                ? #"{"url":"\#(server.baseURL)/in"}"#
                : #"{"workspace_id":"w","shared_key":"c2VjcmV0LWtleQ==","url":"\#(server.baseURL)"}"#
            return try SinkTestBed(
                options: options,
                receivedIDs: { _ in try server.requests.flatMap { try EventIDs.inArray($0.decodedBody) } },
                stop: server.stop)
        case "azure_logs_ingestion":
            let server = try LoopbackHTTPServer { request in
                request.path.hasSuffix("/token")
                    ? .json(200, #"{"access_token":"t","expires_in":3600}"#)
                    : .respond(status: 204, headers: [], body: [])
            }
            return try SinkTestBed(
                options:
                    #"{"endpoint":"\#(server.baseURL)","dcr_immutable_id":"dcr-1","stream":"Custom-X","tenant_id":"t","client_id":"c","client_secret":"s","token_url":"\#(server.baseURL)/token"}"#,
                receivedIDs: { _ in
                    try server.requests.filter { !$0.path.hasSuffix("/token") }.flatMap {
                        try EventIDs.inArray($0.decodedBody)
                    }
                }, stop: server.stop)
        case "otlp_http":
            let server = try LoopbackHTTPServer { _ in .json(200, "{}") }
            return try SinkTestBed(
                options: #"{"endpoint":"\#(server.baseURL)"}"#,
                receivedIDs: { _ in try server.requests.flatMap { try EventIDs.inOTLPRequest($0.decodedBody) } },
                stop: server.stop)
        case "splunk_hec":
            let hec = try FakeSplunkHEC()
            return try SinkTestBed(
                options: #"{"url":"\#(hec.url)","token":"\#(hec.token)"}"#,
                receivedIDs: { _ in hec.indexedIDs.map(Int64.init) }, stop: hec.stop)
        case "elasticsearch":
            let es = try FakeElasticsearch(authorization: "ApiKey a2V5")
            return try SinkTestBed(
                options: #"{"url":"\#(es.url)","api_key":"a2V5"}"#,
                receivedIDs: { _ in es.ids.compactMap { $0.split(separator: ":").last.flatMap { Int64($0) } } },
                stop: es.stop)
        case "syslog":
            let rsyslog = try RsyslogReceiver()
            return try SinkTestBed(
                options: #"{"address":"127.0.0.1:\#(rsyslog.tcpPort)","transport":"tcp"}"#, formatter: "syslog",
                receivedIDs: { expected in
                    try rsyslog.messages(waitingFor: expected).map { message in
                        // MSG is the event as JSON after a BOM (RFC 5424 §6.4); rsyslog cuts a
                        // message past its size limit, so the id is found by its key.
                        guard let range = message.msg.range(of: #""event_id":""#),
                            let id = Int64(message.msg[range.upperBound...].prefix { $0.isNumber })
                        else { throw EventIDs.Missing(record: message.msg) }
                        return id
                    }
                }, stop: rsyslog.stop)
        case "kafka":
            let cluster = try KafkaMockCluster(brokers: 1)
            try cluster.createTopic("conformance", partitions: 1)
            let brokers = cluster.bootstrapServers.split(separator: ",").map { #""\#($0)""# }
            return try SinkTestBed(
                options: #"{"brokers":[\#(brokers.joined(separator: ","))],"topic":"conformance","linger_ms":1}"#,
                receivedIDs: { expected in
                    // One partition, so the order is the order sent; each message is one record.
                    try await cluster.consumeWithKafkaPython(topic: "conformance", count: expected).flatMap {
                        try EventIDs.inLines(String(decoding: $0.value, as: UTF8.self))
                    }
                }, stop: cluster.stop)
        default:
            return nil
        }
    }
}

/// The event id a record carries, wherever its format puts it.
enum EventIDs {
    struct Missing: Error, CustomStringConvertible {
        var record: String
        var description: String { "no event id in \(record.prefix(200))" }
    }

    static func inLines(_ text: String) throws -> [Int64] {
        try text.split(separator: "\n").map { line in
            if let range = line.range(of: "externalId=") {
                return Int64(line[range.upperBound...].prefix { $0.isNumber })!
            }
            return try inJSON(try JSONSerialization.jsonObject(with: Data(line.utf8)))
        }
    }

    static func inArray(_ body: [UInt8]) throws -> [Int64] {
        try ((try JSONSerialization.jsonObject(with: Data(body)) as? [Any]) ?? []).map(inJSON)
    }

    static func inOTLPRequest(_ body: [UInt8]) throws -> [Int64] {
        let request = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let records = (request?["resourceLogs"] as? [[String: Any]] ?? []).flatMap {
            ($0["scopeLogs"] as? [[String: Any]] ?? []).flatMap { $0["logRecords"] as? [Any] ?? [] }
        }
        return try records.map(inJSON)
    }

    /// ECS `event.id`, HEC `event.event_id`, Sentinel `EventId`, OCSF `metadata.original_event_uid`,
    /// an OTLP record's `oversight.event_id` attribute, syslog's JSON `event_id`.
    static func inJSON(_ value: Any) throws -> Int64 {
        guard let object = value as? [String: Any] else { throw Missing(record: "\(value)") }
        let direct: [Any?] = [
            (object["event"] as? [String: Any])?["id"], (object["event"] as? [String: Any])?["event_id"],
            object["EventId"], (object["metadata"] as? [String: Any])?["original_event_uid"], object["event_id"],
        ]
        for candidate in direct { if let text = candidate as? String, let id = Int64(text) { return id } }
        for attribute in object["attributes"] as? [[String: Any]] ?? []
        where attribute["key"] as? String == "oversight.event_id" {
            if let text = (attribute["value"] as? [String: Any])?["stringValue"] as? String, let id = Int64(text) {
                return id
            }
        }
        throw Missing(record: "\(object)")
    }
}
