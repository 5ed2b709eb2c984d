import Foundation
import SIEMCore

/// `run --summary-json FILE`: what a one-shot run did, for the cron job or the alerting that
/// watches it. Written to a temporary file and renamed, so a reader never sees half of it.
///
/// `{"started":"…","finished":"…","status":"completed"|"interrupted","rows_read":N,
///   "dead_letter_path":"…","pipelines":[{"name":…,"formatter":…,"destination":…,"delivered":N,
///   "dead_lettered":N,"retries":N,"checkpoint":ID|absent}]}`
enum RunSummaryFile {
    static func write(
        _ summaries: [PipelineSummary], metrics: RunMetrics, deadLetterPath: String, interrupted: Bool,
        to path: String
    ) throws {
        let snapshot = metrics.snapshot()
        var w = RecordWriter()
        w.beginObject()
        w.key("started")
        w.rfc3339(Int64(metrics.started.timeIntervalSince1970))
        w.key("finished")
        w.rfc3339(Int64(Date().timeIntervalSince1970))
        w.key("status")
        w.string(interrupted ? "interrupted" : "completed")
        w.key("rows_read")
        w.int(Int64(snapshot.rowsRead))
        w.key("dead_letter_path")
        w.string(deadLetterPath)
        w.key("pipelines")
        w.beginArray()
        for (index, s) in summaries.enumerated() {
            w.beginObject()
            w.key("name")
            w.string(s.name)
            w.key("formatter")
            w.string(s.formatterID)
            w.key("destination")
            w.string(s.destination)
            w.key("delivered")
            w.int(Int64(s.delivered))
            w.key("dead_lettered")
            w.int(Int64(s.deadLettered))
            w.key("retries")
            w.int(Int64(index < snapshot.pipelines.count ? snapshot.pipelines[index].retries : 0))
            w.field("checkpoint", s.checkpoint?.id)
            if let epoch = s.checkpoint?.epoch, epoch != 0 { w.field("checkpoint_epoch", epoch) }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.endRecord()
        let temporary = path + ".tmp-\(getpid())"
        do {
            try Data(OutputRedaction.shared.apply(w.bytes)).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 {
                throw SIEMError.output(path: path, message: "cannot rename: \(String(cString: strerror(errno)))")
            }
        } catch let error as SIEMError {
            throw error
        } catch {
            unlink(temporary)
            throw SIEMError.output(path: path, message: "cannot write the run summary: \(error.localizedDescription)")
        }
    }
}
