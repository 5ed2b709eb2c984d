import Foundation

/// The words of the live status line and of a command's closing line: counts, rate, bytes,
/// elapsed time and what is left, from what `RunMetrics` has counted so far.
enum ProgressText {
    /// `export`: `1,200/2,000 rows (60%) · 3,400 events/s · 12.3 MB · 0:05 · ETA 0:03`.
    /// `run` (several pipelines): `splunk 1,200/2,000 · ecs 1,100/2,000 · … · ETA 0:03`.
    static func status(_ metrics: RunMetrics, now: Date = Date()) -> String {
        let pipelines = metrics.snapshot().pipelines
        let elapsed = max(0.001, now.timeIntervalSince(metrics.started))
        var parts: [String] = []
        var secondsLeft: Double?
        for p in pipelines {
            let done = p.delivered + p.deadLettered
            var part = pipelines.count > 1 ? p.name + " " : ""
            part += count(done)
            if let expected = p.expected {
                let total = max(expected, done)
                part += "/" + count(total)
                if pipelines.count == 1 { part += " rows" }
                if total > 0 && pipelines.count == 1 { part += " (\(done * 100 / total)%)" }
                let rate = Double(done) / elapsed
                if total > done && rate > 0 { secondsLeft = max(secondsLeft ?? 0, Double(total - done) / rate) }
            } else if pipelines.count == 1 {
                part += " rows"
            }
            parts.append(part)
        }
        let delivered = pipelines.reduce(0) { $0 + $1.delivered }
        let bytes = pipelines.reduce(0) { $0 + $1.bytes }
        parts.append(rate(delivered, elapsed, unit: "events"))
        parts.append(megabytes(bytes))
        parts.append(clock(elapsed))
        if let secondsLeft { parts.append("ETA " + clock(secondsLeft)) }
        return parts.joined(separator: " · ")
    }

    /// `writing: 120,000/1,000,000 rows (12%) · 50,000 rows/s · 0:02 · ETA 0:17` (demo-registry).
    static func rows(_ done: Int, of total: Int, since started: Date, verb: String, now: Date = Date()) -> String {
        let elapsed = max(0.001, now.timeIntervalSince(started))
        var parts = [
            "\(verb): \(count(done))/\(count(total)) rows (\(total > 0 ? done * 100 / total : 100)%)",
            rate(done, elapsed, unit: "rows"), clock(elapsed),
        ]
        if done > 0 && total > done { parts.append("ETA " + clock(Double(total - done) * elapsed / Double(done))) }
        return parts.joined(separator: " · ")
    }

    /// `in 1.2 s (2,500 events/s)`: the end of a closing line.
    static func closing(_ count: Int, unit: String, seconds: Double) -> String {
        "in \(duration(seconds)) (\(rate(count, max(seconds, 0.001), unit: unit)))"
    }

    static func rate(_ count: Int, _ seconds: Double, unit: String) -> String {
        let perSecond = Double(count) / seconds
        return (perSecond >= 100 ? self.count(Int(perSecond.rounded())) : String(format: "%.1f", perSecond))
            + " \(unit)/s"
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }

    /// `0:05`, `12:34`, `1:02:03`.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let (h, m, s) = (total / 3_600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    /// `0.42 s`, `12.3 s`, `2 min 5 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2f s", seconds) }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        let total = Int(seconds.rounded())
        return "\(total / 60) min \(total % 60) s"
    }

    /// `1,234,567`: grouped by thousands, whatever the locale.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}
