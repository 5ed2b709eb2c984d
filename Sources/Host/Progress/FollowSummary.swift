import Foundation
import Logging

/// `run --follow`'s periodic line: what every pipeline delivered since the last one, the rate,
/// what was set aside or retried, and how far behind the source it is, logged at `info` every
/// `--summary-interval` seconds, so a long-running exporter shows it is alive in its log.
final class FollowSummary: @unchecked Sendable {
    private let metrics: RunMetrics
    private let logger: Logger
    private let timer: any DispatchSourceTimer
    private let lock = NSLock()
    private var last: (time: Date, delivered: Int, deadLettered: Int, retries: Int)

    init(metrics: RunMetrics, logger: Logger, every seconds: Double, now: Date = Date()) {
        self.metrics = metrics
        self.logger = logger
        last = (now, 0, 0, 0)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        let interval = DispatchTimeInterval.milliseconds(Int(seconds * 1_000))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.log() }
        timer.resume()
    }

    deinit { timer.cancel() }

    func stop() { timer.cancel() }

    func log(now: Date = Date()) {
        logger.info("\(line(now: now))")
    }

    /// `follow: 1,200 event(s) delivered in the last 60 s (20.0 events/s), 0 dead-lettered, 0 retries, 0 row(s) behind`.
    func line(now: Date = Date()) -> String {
        let snapshot = metrics.snapshot()
        let delivered = snapshot.pipelines.reduce(0) { $0 + $1.delivered }
        let deadLettered = snapshot.pipelines.reduce(0) { $0 + $1.deadLettered }
        let retries = snapshot.pipelines.reduce(0) { $0 + $1.retries }
        let behind = snapshot.pipelines.map { max(0, $0.sourceEnd - ($0.checkpoint ?? 0)) }.max() ?? 0
        let previous = lock.withLock {
            let previous = last
            last = (now, delivered, deadLettered, retries)
            return previous
        }
        let seconds = max(0.001, now.timeIntervalSince(previous.time))
        let count = delivered - previous.delivered
        return "follow: \(ProgressText.count(count)) event(s) delivered in the last \(ProgressText.duration(seconds))"
            + " (\(ProgressText.rate(count, seconds, unit: "events"))), \(deadLettered - previous.deadLettered) dead-lettered,"
            + " \(retries - previous.retries) retries, \(ProgressText.count(Int(behind))) row(s) behind"
    }
}
