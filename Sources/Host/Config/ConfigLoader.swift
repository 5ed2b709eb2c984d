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
            let why = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
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
        let source = reader.required(mapping, "source", path: "").flatMap { reader.pluginNode($0, path: "source") }
        let mapper = reader.required(mapping, "mapper", path: "").flatMap { reader.pluginNode($0, path: "mapper") }
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
        guard let source, let mapper else { throw ConfigErrors(diagnostics: reader.diagnostics) }
        return PipelineConfigFile(
            path: file, baseDirectory: baseDirectory, source: source, mapper: mapper, checkpointPath: checkpointPath,
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

/// Walks config nodes, recording diagnostics as it goes.
struct NodeReader {
    let file: String
    let secrets: SecretReference
    var diagnostics: [ConfigDiagnostic] = []

    init(file: String, secrets: SecretReference) {
        self.file = file
        self.secrets = secrets
    }

    mutating func report(_ node: Node?, _ path: String, _ message: String) {
        diagnostics.append(
            ConfigDiagnostic(
                file: file, line: node?.mark?.line, column: node?.mark?.column, path: path, message: message))
    }

    mutating func report(at mark: Mark?, _ path: String, _ message: String) {
        diagnostics.append(
            ConfigDiagnostic(file: file, line: mark?.line, column: mark?.column, path: path, message: message))
    }

    mutating func checkKeys(_ mapping: Node.Mapping, allowed: [String], path: String) {
        for key in mapping.keys {
            let name = key.string ?? "?"
            if !allowed.contains(name) {
                report(key, path, "unknown key '\(name)'" + Suggestion.hint(for: name, in: allowed))
            }
        }
    }

    mutating func required(_ mapping: Node.Mapping, _ key: String, path: String) -> Node? {
        if let node = mapping[key] { return node }
        report(at: mapping.mark, path, "missing required key '\(key)'")
        return nil
    }

    /// `key: {path: FILE}` (checkpoint, dead_letter): the path, or nil with the problem reported.
    mutating func pathMapping(_ node: Node, path: String) -> String? {
        guard let mapping = node.mapping else {
            report(node, path, "expected a mapping with `path: FILE`")
            return nil
        }
        checkKeys(mapping, allowed: ["path"], path: path)
        return required(mapping, "path", path: path).flatMap { string($0, path: path + ".path") }
    }

    mutating func string(_ node: Node, path: String) -> String? {
        guard let scalar = node.scalar else {
            report(node, path, "expected a string")
            return nil
        }
        do {
            return try secrets.expand(scalar.string)
        } catch {
            report(node, path, error.description)
            return nil
        }
    }

    mutating func pipeline(_ node: Node, path: String) -> PipelineConfig? {
        guard let mapping = node.mapping else {
            report(node, path, "expected a mapping with name, formatter and sink")
            return nil
        }
        checkKeys(
            mapping, allowed: ["name", "preset", "formatter", "sink", "redact", "dead_letter", "on_refused"], path: path
        )
        let name = required(mapping, "name", path: path).flatMap { string($0, path: path + ".name") }
        if let name, name.isEmpty || !name.unicodeScalars.allSatisfy(Self.isNameCharacter) {
            report(mapping["name"], path + ".name", "'\(name)' must be letters, digits, '_', '-' or '.'")
        }
        var formatterNode = mapping["formatter"]
        var sinkNode = mapping["sink"]
        if let presetNode = mapping["preset"], let presetName = string(presetNode, path: path + ".preset") {
            if let preset = PipelinePresets.all[presetName] {
                formatterNode = PipelinePresets.merge(
                    formatterNode, preset: preset.formatter, presetName: presetName, path: path + ".formatter",
                    reader: &self, at: presetNode.mark)
                sinkNode = PipelinePresets.merge(
                    sinkNode, preset: preset.sink, presetName: presetName, path: path + ".sink", reader: &self,
                    at: presetNode.mark)
            } else {
                let names = PipelinePresets.all.keys.sorted()
                report(
                    presetNode, path + ".preset",
                    "unknown preset '\(presetName)'; one of \(names.joined(separator: ", "))"
                        + Suggestion.hint(for: presetName, in: names))
            }
        }
        // An unknown preset is reported once, not again as a missing formatter and sink.
        let presetFailed = mapping["preset"] != nil && formatterNode?.mapping == nil
        if formatterNode == nil && !presetFailed { report(at: mapping.mark, path, "missing required key 'formatter'") }
        if sinkNode == nil && !presetFailed { report(at: mapping.mark, path, "missing required key 'sink'") }
        let formatter = formatterNode.flatMap { pluginNode($0, path: path + ".formatter", allowsSchema: true) }
        let sink = sinkNode.flatMap { pluginNode($0, path: path + ".sink") }
        let redact = mapping["redact"].flatMap { pluginNode($0, path: path + ".redact", typed: false) }
        let deadLetter = mapping["dead_letter"].flatMap { pathMapping($0, path: path + ".dead_letter") }
        var onRefused = RefusalPolicy.deadLetter
        if let node = mapping["on_refused"], let text = string(node, path: path + ".on_refused") {
            if let policy = RefusalPolicy(rawValue: text) {
                onRefused = policy
            } else {
                let names = RefusalPolicy.allCases.map(\.rawValue)
                report(
                    node, path + ".on_refused",
                    "expected one of: \(names.joined(separator: ", ")), found '\(text)'"
                        + (Suggestion.closest(to: text, in: names).map { " (did you mean '\($0)'?)" } ?? ""))
            }
        }
        guard let name, let formatter, let sink else { return nil }
        return PipelineConfig(
            name: name, formatter: formatter, sink: sink, mark: mapping.mark, redact: redact,
            deadLetterPath: deadLetter, onRefused: onRefused)
    }

    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
            || c == "."
    }

    /// `type:` (and for formatters `schema:`) are read here; every other key stays for the plugin,
    /// with `${env:…}`/`${file:…}` already expanded. A node that is not `typed` (`redact:`) has
    /// options only.
    mutating func pluginNode(
        _ node: Node, path: String, allowsSchema: Bool = false, typed: Bool = true
    )
        -> PluginNode?
    {
        guard let mapping = node.mapping else {
            report(
                node, path, typed ? "expected a mapping with at least `type:`" : "expected a mapping of options, or {}")
            return nil
        }
        let type = typed ? required(mapping, "type", path: path).flatMap { string($0, path: path + ".type") } : ""
        var schema: String?
        let schemaNode = allowsSchema ? mapping["schema"] : nil
        if let schemaNode { schema = string(schemaNode, path: path + ".schema") }
        var pairs: [(Node, Node)] = []
        var referenced: Set<String> = []
        for (key, value) in mapping {
            let name = key.string ?? ""
            if (typed && name == "type") || (allowsSchema && name == "schema") { continue }
            if let text = value.scalar?.string, text.hasPrefix("${"), text.hasSuffix("}") { referenced.insert(name) }
            for (inner, innerValue) in value.mapping ?? Node.Mapping([]) {
                if let text = innerValue.scalar?.string, text.contains("${") {
                    referenced.insert(name + "." + (inner.string ?? ""))
                }
            }
            pairs.append((key, expandSecrets(value, path: path + "." + name)))
        }
        guard let type else { return nil }
        return PluginNode(
            type: type, typeMark: mapping["type"]?.mark, schema: schema, schemaMark: schemaNode?.mark,
            options: .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark)),
            referencedKeys: referenced,
            path: path, mark: mapping.mark)
    }

    mutating func expandSecrets(_ node: Node, path: String) -> Node {
        switch node {
        case .scalar(var scalar):
            do {
                let expanded = try secrets.expand(scalar.string)
                if expanded != scalar.string { scalar.string = expanded }
            } catch {
                report(node, path, error.description)
            }
            return .scalar(scalar)
        case .mapping(let mapping):
            let pairs = mapping.map { ($0.key, expandSecrets($0.value, path: path + "." + ($0.key.string ?? "?"))) }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            let nodes = sequence.enumerated().map { expandSecrets($1, path: path + "[\($0)]") }
            return .sequence(Node.Sequence(nodes, sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }
}
