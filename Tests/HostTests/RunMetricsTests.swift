import Foundation
import Testing

@testable import SIEMHost

@Suite struct RunMetricsTests {
    func get(_ path: String, port: UInt16) throws -> String { try httpGet(path, port: port) }
}

/// Fetches `path` from 127.0.0.1:`port` over a real socket, as Prometheus would.
func httpGet(_ path: String, port: UInt16) throws -> String {
    do {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        let request = Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var answer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += chunk[..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}

extension RunMetricsTests {
    @Test func servesCountersHistogramAndLagInPrometheusTextFormat() throws {
        let metrics = RunMetrics(pipelineNames: ["splunk", "el\"astic"])
        metrics.sourceEnd(100, pipelines: 0..<2)
        metrics.read(rows: 60)
        metrics.delivered(50, seconds: 0.02, pipeline: 0)
        metrics.delivered(10, seconds: 3, pipeline: 0)
        metrics.checkpointed(60, lastEventUnix: 1_000, pipeline: 0)
        metrics.deadLettered(2, pipeline: 1)
        metrics.observer(pipeline: 1).willRetry(attempt: 1, of: 8, inSeconds: 0.5, reason: "HTTP 503")
        let server = try MetricsServer(address: try #require(MetricsListenAddress("127.0.0.1:0")), metrics: metrics)
        #expect(server.port != 0)

        let answer = try get("/metrics", port: server.port)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.contains("Content-Type: text/plain; version=0.0.4"))
        let body = answer.components(separatedBy: "\r\n\r\n")[1]
        let samples = Dictionary(
            body.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
                let parts = $0.split(separator: " ")
                return (String(parts[0]), String(parts[1]))
            }, uniquingKeysWith: { a, _ in a })
        #expect(samples["siem_export_rows_read_total"] == "60")
        #expect(samples["siem_export_events_delivered_total{pipeline=\"splunk\"}"] == "60")
        #expect(samples["siem_export_delivery_retries_total{pipeline=\"el\\\"astic\"}"] == "1")
        #expect(samples["siem_export_rows_dead_lettered_total{pipeline=\"el\\\"astic\"}"] == "2")
        #expect(samples["siem_export_batch_duration_seconds_bucket{pipeline=\"splunk\",le=\"0.025\"}"] == "1")
        #expect(samples["siem_export_batch_duration_seconds_bucket{pipeline=\"splunk\",le=\"2.5\"}"] == "1")
        #expect(samples["siem_export_batch_duration_seconds_bucket{pipeline=\"splunk\",le=\"5.0\"}"] == "2")
        #expect(samples["siem_export_batch_duration_seconds_count{pipeline=\"splunk\"}"] == "2")
        #expect(samples["siem_export_checkpoint_lag_rows{pipeline=\"splunk\"}"] == "40")
        #expect(samples["siem_export_checkpoint_lag_rows{pipeline=\"el\\\"astic\"}"] == "100")
        let lag = Int(samples["siem_export_checkpoint_lag_seconds{pipeline=\"splunk\"}"] ?? "") ?? 0
        #expect(lag >= Int(Date().timeIntervalSince1970) - 1_000 - 5)
        // Every family has HELP and TYPE before its samples.
        #expect(body.components(separatedBy: "# TYPE ").count - 1 == 9)
        #expect(samples["siem_export_events_refused_total{pipeline=\"splunk\"}"] == "0")

        #expect(try get("/other", port: server.port).hasPrefix("HTTP/1.1 404"))
    }

    @Test(arguments: ["127.0.0.1:9464", "0.0.0.0:0"]) func acceptsListenAddresses(_ text: String) {
        #expect(MetricsListenAddress(text) != nil)
    }

    @Test func aPortAloneListensOnLoopback() {
        #expect(MetricsListenAddress("9464") == MetricsListenAddress("127.0.0.1:9464"))
    }

    @Test(arguments: ["localhost:9464", "127.0.0.1", "127.0.0.1:99999", ":9464", "[::1]:9464"])
    func refusesOtherListenAddresses(_ text: String) {
        #expect(MetricsListenAddress(text) == nil)
    }
}
