import Foundation
import Logging
import SIEMCore

/// What the sources of one `run` share: one checkpoint store per state file, one writer per
/// dead-letter file (lines are written whole, so sources and pipelines may share a file), and
/// the metrics of every pipeline of every source.
final class RunResources: @unchecked Sendable {
    let metrics: RunMetrics
    let logger: Logger
    private var stores: [String: CheckpointStore] = [:]
    private var deadLetters: [String: DeadLetterFileWriter] = [:]

    init(pipelineNames: [String], logger: Logger) {
        metrics = RunMetrics(pipelineNames: pipelineNames, logger: logger)
        self.logger = logger
    }

    /// The store of the state file at `path`, opened once.
    func store(at path: String) throws -> CheckpointStore {
        let key = (path as NSString).standardizingPath
        if let existing = stores[key] { return existing }
        let store = try CheckpointStore(path: path)
        stores[key] = store
        return store
    }

    /// The writer of the dead-letter file at `path`, made once.
    func deadLetter(at path: String) throws -> DeadLetterFileWriter {
        let key = (path as NSString).standardizingPath
        if let existing = deadLetters[key] { return existing }
        let writer = try DeadLetterFileWriter(path: path) { [logger] in logger.warning("\($0)") }
        deadLetters[key] = writer
        return writer
    }
}
