import Foundation
import SIEMCore

extension PipelineAssembler {
    /// Two pipelines appending to one file would interleave their lines (and a `truncate` one
    /// would empty the other's output), as would an output that is also the checkpoint or a
    /// dead-letter file: refused before anything is opened. Dead-letter files may be shared:
    /// their lines are written whole, one writer per file.
    func checkOutputsAreDistinct(_ config: PipelineConfigFile, _ diagnostics: inout [ConfigDiagnostic]) {
        let base = PluginContext(baseDirectory: config.baseDirectory)
        func normalized(_ raw: String) -> String { (base.resolve(path: raw) as NSString).standardizingPath }
        var owners: [String: String] = [:]
        var deadLetters: Set<String> = []
        for stream in config.sources {
            let checkpoint = stream.checkpointPath ?? config.checkpointPath
            let key = stream.path.isEmpty ? "checkpoint.path" : stream.path + ".checkpoint.path"
            if let checkpoint {
                owners[normalized(checkpoint)] = owners[normalized(checkpoint)] ?? key
                owners[normalized(checkpoint) + ".lock"] = "the checkpoint's lock file"
            }
            if let deadLetter = stream.deadLetterPath ?? config.deadLetterPath {
                deadLetters.insert(normalized(deadLetter))
            } else if let checkpoint {
                deadLetters.insert(normalized(checkpoint) + ".dead-letter.jsonl")
            }
        }
        for pipeline in config.pipelines {
            let own = pipeline.deadLetterPath ?? pipeline.sink.options.mapping?["dead_letter_path"]?.string
            if let own, !own.isEmpty { deadLetters.insert(normalized(own)) }
        }
        for path in deadLetters {
            if let owner = owners[path] {
                diagnostics.append(
                    ConfigDiagnostic(
                        file: config.path, path: "dead_letter",
                        message: "'\(path)' is also written by \(owner); a dead-letter file needs a file of its own"))
            }
        }
        for path in deadLetters where owners[path] == nil { owners[path] = "a dead-letter file" }
        for pipeline in config.pipelines {
            guard let node = pipeline.sink.options.mapping?["path"], let raw = node.string, raw != "-", !raw.isEmpty
            else { continue }
            let path = normalized(raw)
            let here = pipeline.sink.path + ".path"
            if let owner = owners[path] {
                diagnostics.append(
                    ConfigDiagnostic(
                        file: config.path, line: node.mark?.line, column: node.mark?.column, path: here,
                        message: "'\(path)' is also written by \(owner); each output needs a file of its own"))
            } else {
                owners[path] = here
            }
        }
    }
}
