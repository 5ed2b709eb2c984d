import ArgumentParser
import Foundation
import Logging
import SIEMCore

/// swift-log's handler for the CLI: one line per record on standard error, as text for people
/// or as JSON for a log shipper (journald, a container runtime, a SIEM's own agent).
///
/// Text: `message key=value …`, prefixed `warning: `/`error: `/`critical: ` at those levels, no
/// timestamp (cron, journald and container runtimes add their own). JSON:
/// `{"time":"…","level":"info","message":"…","pipeline":"…",…}`. No line carries a credential:
/// each passes through the output redaction of every secret the config and the sinks hold.
struct StderrLogHandler: LogHandler {
    enum Format: String, CaseIterable, Sendable { case text, json }

    var format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(format: Format, level: Logger.Level) {
        self.format = format
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let line = Self.render(
            level: event.level, message: "\(event.message)", metadata: all, format: format, now: Date())
        // One write per line, under the status line's lock, so lines from several threads never
        // interleave with each other or with the status line.
        TerminalStatusLine.shared.write(OutputRedaction.shared.apply(line))
    }

    static func render(
        level: Logger.Level, message: String, metadata: Logger.Metadata, format: Format, now: Date
    ) -> String {
        let keys = metadata.keys.sorted()
        switch format {
        case .text:
            let prefix = level >= .warning ? "\(level): " : ""
            let pairs = keys.map { " \($0)=\(metadata[$0]!)" }.joined()
            return prefix + message + pairs + "\n"
        case .json:
            var w = RecordWriter(capacity: 256)
            w.beginObject()
            w.key("time")
            w.rfc3339(Int64(now.timeIntervalSince1970))
            w.key("level")
            w.string(level.rawValue)
            w.key("message")
            w.string(message)
            for key in keys where !["time", "level", "message"].contains(key) {
                w.key(key)
                w.string("\(metadata[key]!)")
            }
            w.endObject()
            w.endRecord()
            return String(decoding: w.bytes, as: UTF8.self)
        }
    }
}
