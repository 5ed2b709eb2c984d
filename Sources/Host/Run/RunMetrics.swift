import Foundation
import Logging
import SIEMCore

/// What a run has done so far, per pipeline, for the Prometheus endpoint and the JSON summary.
///
/// Updated by the runner (and by sinks' retry loops through `DeliveryObservation`), read by the
/// metrics server's thread: every access takes the lock.
public final class RunMetrics: @unchecked Sendable {
    struct Pipeline {
        var name: String
        var delivered = 0
        var retries = 0
        var deadLettered = 0
        var refused = 0
        var batches = 0
        var batchSeconds = 0.0
        /// Batch delivery durations, counted into `RunMetrics.bucketBounds` (cumulative on output).
        var buckets: [Int]
        var checkpoint: Int64?
        /// The last row id of its source, as of the latest round.
        var sourceEnd: Int64 = 0
        /// Time of the last delivered event, for the lag in seconds.
        var lastEventUnix: Int64?
    }

    /// Upper bounds, in seconds, of the batch-latency histogram.
    static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private let lock = NSLock()
    private var pipelines: [Pipeline]
    private var rowsRead = 0
    let started = Date()
    let logger: Logger?
    /// Fixed for the run, so read without the lock.
    let pipelineNames: [String]

    public init(pipelineNames: [String], logger: Logger? = nil) {
        self.logger = logger
        self.pipelineNames = pipelineNames
        pipelines = pipelineNames.map {
            Pipeline(name: $0, buckets: Array(repeating: 0, count: Self.bucketBounds.count))
        }
    }

    private func update(_ body: () -> Void) {
        lock.lock()
        body()
        lock.unlock()
    }

    func read(rows: Int) { update { rowsRead += rows } }

    /// The last row id of the source `pipelines` read, for their lag in rows.
    func sourceEnd(_ id: Int64, pipelines range: Range<Int>) {
        update { for index in range { pipelines[index].sourceEnd = max(pipelines[index].sourceEnd, id) } }
    }

    func deadLettered(_ count: Int, pipeline index: Int) { update { pipelines[index].deadLettered += count } }

    /// Events the receiver refused, set aside in the dead-letter file (counted as dead-lettered too).
    func refused(_ count: Int, pipeline index: Int) {
        update {
            pipelines[index].deadLettered += count
            pipelines[index].refused += count
        }
    }

    func delivered(_ count: Int, seconds: Double, pipeline index: Int) {
        update {
            pipelines[index].delivered += count
            pipelines[index].batches += 1
            pipelines[index].batchSeconds += seconds
            if let bucket = Self.bucketBounds.firstIndex(where: { seconds <= $0 }) {
                pipelines[index].buckets[bucket] += 1
            }
        }
    }

    func checkpointed(_ id: Int64, lastEventUnix: Int64?, pipeline index: Int) {
        update {
            pipelines[index].checkpoint = id
            if let lastEventUnix { pipelines[index].lastEventUnix = lastEventUnix }
        }
    }

    func retried(pipeline index: Int) { update { pipelines[index].retries += 1 } }

    /// An observer that counts retries against one pipeline.
    func observer(pipeline index: Int) -> any DeliveryObserver {
        RetryCounter(metrics: self, index: index, name: pipelineNames[index])
    }

    struct RetryCounter: DeliveryObserver {
        let metrics: RunMetrics
        let index: Int
        let name: String
        func willRetry(attempt: Int, of maximum: Int, inSeconds seconds: Double, reason: String) {
            metrics.retried(pipeline: index)
            metrics.logger?.warning(
                "retrying: attempt \(attempt)/\(maximum), next in \(RetryWording.seconds(seconds)): \(reason)",
                metadata: ["pipeline": "\(name)"])
        }
    }

    /// Snapshot for rendering.
    func snapshot() -> (rowsRead: Int, pipelines: [Pipeline]) {
        lock.lock()
        defer { lock.unlock() }
        return (rowsRead, pipelines)
    }

    /// The Prometheus text exposition format, version 0.0.4
    /// (prometheus.io/docs/instrumenting/exposition_formats/).
    public func prometheusText(now: Date = Date()) -> String {
        let (rowsRead, pipelines) = snapshot()
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func label(_ p: Pipeline) -> String { "pipeline=\"\(Self.escapeLabel(p.name))\"" }
        family("siem_export_rows_read_total", "counter", "Source rows read (mapped or dead-lettered).")
        out += "siem_export_rows_read_total \(rowsRead)\n"
        family("siem_export_events_delivered_total", "counter", "Events a sink accepted.")
        for p in pipelines { out += "siem_export_events_delivered_total{\(label(p))} \(p.delivered)\n" }
        family(
            "siem_export_delivery_retries_total", "counter", "Requests sent again after a retryable failure.")
        for p in pipelines { out += "siem_export_delivery_retries_total{\(label(p))} \(p.retries)\n" }
        family(
            "siem_export_rows_dead_lettered_total", "counter",
            "Rows set aside in the dead-letter file: rows that could not become events, and events the receiver refused."
        )
        for p in pipelines { out += "siem_export_rows_dead_lettered_total{\(label(p))} \(p.deadLettered)\n" }
        family(
            "siem_export_events_refused_total", "counter",
            "Events the receiver refused for good (invalid, too large), set aside in the dead-letter file.")
        for p in pipelines { out += "siem_export_events_refused_total{\(label(p))} \(p.refused)\n" }
        family(
            "siem_export_batch_duration_seconds", "histogram", "Time from handing a batch to a sink to its acceptance.")
        for p in pipelines {
            var cumulative = 0
            for (bound, count) in zip(Self.bucketBounds, p.buckets) {
                cumulative += count
                out += "siem_export_batch_duration_seconds_bucket{\(label(p)),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "siem_export_batch_duration_seconds_bucket{\(label(p)),le=\"+Inf\"} \(p.batches)\n"
            out += "siem_export_batch_duration_seconds_sum{\(label(p))} \(p.batchSeconds)\n"
            out += "siem_export_batch_duration_seconds_count{\(label(p))} \(p.batches)\n"
        }
        family("siem_export_checkpoint_id", "gauge", "Last source row id delivered (the checkpoint).")
        for p in pipelines { out += "siem_export_checkpoint_id{\(label(p))} \(p.checkpoint ?? 0)\n" }
        family(
            "siem_export_checkpoint_lag_rows", "gauge",
            "Source row ids after the checkpoint, up to the highest id seen (rows, when ids have no gaps).")
        for p in pipelines {
            out += "siem_export_checkpoint_lag_rows{\(label(p))} \(max(0, p.sourceEnd - (p.checkpoint ?? 0)))\n"
        }
        family(
            "siem_export_checkpoint_lag_seconds", "gauge",
            "0 when caught up; else how old the last delivered event is.")
        for p in pipelines {
            let behind = p.sourceEnd > (p.checkpoint ?? 0)
            let seconds = behind ? max(0, Int64(now.timeIntervalSince1970) - (p.lastEventUnix ?? 0)) : 0
            out += "siem_export_checkpoint_lag_seconds{\(label(p))} \(p.lastEventUnix == nil && behind ? 0 : seconds)\n"
        }
        return OutputRedaction.shared.apply(out)
    }

    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// How a wait reads in a log line: `0.4 s`, `12 s`.
enum RetryWording {
    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }
}
