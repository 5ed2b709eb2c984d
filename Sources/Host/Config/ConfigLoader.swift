import Foundation
import SIEMCore
import Yams

/// Reads a YAML config into a `PipelineConfigFile`, collecting every structural error with its
/// file, line and column instead of stopping at the first.
public struct ConfigLoader {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func load(path: String) throws -> PipelineConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let why = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"
            throw ConfigErrors(diagnostics: [
                ConfigDiagnostic(file: path, path: "", message: "cannot read config: \(why)")
            ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(diagnostics: [
                ConfigDiagnostic(file: path, path: "", message: "config is not UTF-8 text")
            ])
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(yaml: text, file: path, baseDirectory: directory)
    }

    public func parse(yaml: String, file: String, baseDirectory: String) throws -> PipelineConfigFile {
        var reader = NodeReader(
            file: file, secrets: SecretReference(environment: environment, baseDirectory: baseDirectory))
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw ConfigErrors(diagnostics: [ConfigDiagnostic(file: file, path: "", message: "config is empty")])
            }
            root = composed
        } catch let error as YamlError {
            throw ConfigErrors(diagnostics: [Self.diagnostic(for: error, file: file)])
        }
        guard let mapping = root.mapping else {
            reader.report(root, "", "the config must be a mapping of keys (version, source, pipelines, …)")
            throw ConfigErrors(diagnostics: reader.diagnostics)
        }
        reader.checkKeys(mapping, allowed: PipelineConfigFile.topLevelKeys, path: "")

        if let version = reader.required(mapping, "version", path: "") {
            if version.int != PipelineConfigFile.supportedVersion {
                reader.report(
                    version, "version",
                    "unsupported config version '\(version.string ?? "?")'; this build reads version \(PipelineConfigFile.supportedVersion)"
                )
            }
        }
        var sources: [SourceConfig] = []
        if let list = mapping["sources"] {
            for key in ["source", "mapper"] where mapping[key] != nil {
                reader.report(
                    mapping.keys.first { $0.string == key }, key,
                    "give either `source:` and `mapper:` or a `sources:` list, not both")
            }
            sources = reader.sourceList(list)
        } else {
            let source = reader.required(mapping, "source", path: "").flatMap { reader.pluginNode($0, path: "source") }
            let mapper = reader.required(mapping, "mapper", path: "").flatMap { reader.pluginNode($0, path: "mapper") }
            if let source, let mapper {
                sources = [SourceConfig(name: nil, source: source, mapper: mapper, path: "", mark: mapping.mark)]
            }
        }
        let checkpointPath = mapping["checkpoint"].flatMap { reader.pathMapping($0, path: "checkpoint") }
        let deadLetterPath = mapping["dead_letter"].flatMap { reader.pathMapping($0, path: "dead_letter") }
        var metricsListen: String?
        if let node = mapping["metrics"] {
            if let m = node.mapping {
                reader.checkKeys(m, allowed: ["listen"], path: "metrics")
                if let listenNode = reader.required(m, "listen", path: "metrics"),
                    let listen = reader.string(listenNode, path: "metrics.listen")
                {
                    if MetricsListenAddress(listen) == nil {
                        reader.report(
                            listenNode, "metrics.listen",
                            "expected PORT (on 127.0.0.1) or HOST:PORT with an IPv4 host, e.g. 9464 or 0.0.0.0:9464 (port 0 picks a free one)"
                        )
                    } else {
                        metricsListen = listen
                    }
                }
            } else {
                reader.report(node, "metrics", "expected a mapping with `listen: HOST:PORT`")
            }
        }
        var batchSize = PipelineConfigFile.defaultBatchSize
        if let node = mapping["batch_size"] {
            if let value = node.int, (1...100_000).contains(value) {
                batchSize = value
            } else {
                reader.report(node, "batch_size", "expected a whole number from 1 to 100000")
            }
        }
        var pipelines: [PipelineConfig] = []
        if let list = reader.required(mapping, "pipelines", path: "") {
            if let sequence = list.sequence, !sequence.isEmpty {
                var names: [String: Int] = [:]
                for (index, node) in sequence.enumerated() {
                    guard let pipeline = reader.pipeline(node, path: "pipelines[\(index)]") else { continue }
                    if let earlier = names[pipeline.name] {
                        reader.report(
                            node, "pipelines[\(index)].name",
                            "duplicate pipeline name '\(pipeline.name)' (also pipelines[\(earlier)])")
                    }
                    names[pipeline.name] = index
                    pipelines.append(pipeline)
                }
            } else {
                reader.report(list, "pipelines", "expected a non-empty list of pipelines")
            }
        }
        // Structural errors travel with the config, so the assembler can add its own and report all at once.
        guard !sources.isEmpty else { throw ConfigErrors(diagnostics: reader.diagnostics) }
        reader.assignSources(&pipelines, sources)
        return PipelineConfigFile(
            path: file, baseDirectory: baseDirectory, sources: sources, checkpointPath: checkpointPath,
            deadLetterPath: deadLetterPath, metricsListen: metricsListen,
            batchSize: batchSize, pipelines: pipelines, diagnostics: reader.diagnostics)
    }

    static func diagnostic(for error: YamlError, file: String) -> ConfigDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " \($0.text)" } ?? ""
            return ConfigDiagnostic(
                file: file, line: mark.line, column: mark.column, path: "", message: "YAML syntax: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigDiagnostic(
                file: file, line: context.mark.line, column: context.mark.column, path: "",
                message: "duplicate key(s) \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping")
        default:
            return ConfigDiagnostic(file: file, path: "", message: "YAML: \(error)")
        }
    }
}
