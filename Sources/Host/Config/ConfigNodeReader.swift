import Foundation
import SIEMCore
import Yams

/// Walks config nodes, recording diagnostics as it goes.
struct NodeReader {
    let file: String
    let secrets: SecretReference
    var diagnostics: [ConfigDiagnostic] = []
    /// Where a `${…}` reference could not be expanded (`PluginNode.unresolvedPaths`).
    var unresolvedPaths: Set<String> = []

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
            mapping,
            allowed: ["name", "source", "preset", "formatter", "sink", "redact", "dead_letter", "on_refused"],
            path: path)
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
        let source = mapping["source"].flatMap { string($0, path: path + ".source") }
        guard let name, let formatter, let sink else { return nil }
        return PipelineConfig(
            name: name, source: source, sourceMark: mapping["source"]?.mark, formatter: formatter, sink: sink,
            mark: mapping.mark, redact: redact, deadLetterPath: deadLetter, onRefused: onRefused)
    }

    /// `sources:`: a non-empty list of {name, source, mapper, checkpoint, dead_letter}, names unique.
    mutating func sourceList(_ list: Node) -> [SourceConfig] {
        guard let sequence = list.sequence, !sequence.isEmpty else {
            report(list, "sources", "expected a non-empty list of {name, source, mapper}")
            return []
        }
        var sources: [SourceConfig] = []
        var names: [String: Int] = [:]
        for (index, node) in sequence.enumerated() {
            let path = "sources[\(index)]"
            guard let mapping = node.mapping else {
                report(node, path, "expected a mapping with name, source and mapper")
                continue
            }
            checkKeys(mapping, allowed: PipelineConfigFile.sourceEntryKeys, path: path)
            let name = required(mapping, "name", path: path).flatMap { string($0, path: path + ".name") }
            if let name, name.isEmpty || !name.unicodeScalars.allSatisfy(Self.isNameCharacter) {
                report(mapping["name"], path + ".name", "'\(name)' must be letters, digits, '_', '-' or '.'")
            }
            if let name, let earlier = names[name] {
                report(mapping["name"], path + ".name", "duplicate source name '\(name)' (also sources[\(earlier)])")
            }
            if let name { names[name] = index }
            let source = required(mapping, "source", path: path).flatMap { pluginNode($0, path: path + ".source") }
            let mapper = required(mapping, "mapper", path: path).flatMap { pluginNode($0, path: path + ".mapper") }
            let checkpoint = mapping["checkpoint"].flatMap { pathMapping($0, path: path + ".checkpoint") }
            let deadLetter = mapping["dead_letter"].flatMap { pathMapping($0, path: path + ".dead_letter") }
            guard let name, let source, let mapper else { continue }
            sources.append(
                SourceConfig(
                    name: name, source: source, mapper: mapper, checkpointPath: checkpoint, deadLetterPath: deadLetter,
                    path: path, mark: mapping.mark))
        }
        return sources
    }

    /// Every pipeline names the source it reads; with one source, `source:` may be left out.
    mutating func assignSources(_ pipelines: inout [PipelineConfig], _ sources: [SourceConfig]) {
        var names: [String] = []
        for name in sources.compactMap(\.name) where !names.contains(name) { names.append(name) }
        var resolved = true
        for index in pipelines.indices {
            let path = "pipelines[\(index)].source"
            guard let named = pipelines[index].source else {
                if sources.count == 1 {
                    pipelines[index].source = sources[0].name
                } else {
                    resolved = false
                    report(
                        at: pipelines[index].mark, "pipelines[\(index)]",
                        "missing required key 'source' (which of \(names.joined(separator: ", ")) it reads)")
                }
                continue
            }
            if sources.count == 1 && sources[0].name == nil {
                report(
                    at: pipelines[index].sourceMark, path,
                    "`source:` names an entry of `sources:`; this config has one unnamed `source:`, which every pipeline reads"
                )
            } else if !names.contains(named) {
                resolved = false
                report(
                    at: pipelines[index].sourceMark, path,
                    "no source named '\(named)'" + Suggestion.hint(for: named, in: names))
            }
        }
        for source in sources where resolved && !pipelines.contains(where: { $0.source == source.name }) {
            diagnostics.append(
                ConfigDiagnostic(
                    file: file, line: source.mark?.line, column: source.mark?.column, path: source.path,
                    message: "no pipeline reads source '\(source.name ?? "source")'", isWarning: true))
        }
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
            // A reference with a default (`${env:X:-…}`) writes its fallback in the config: not a reference.
            if let text = value.scalar?.string, text.hasPrefix("${"), text.hasSuffix("}"),
                !SecretReference.hasDefault(text)
            {
                referenced.insert(name)
            }
            for (inner, innerValue) in value.mapping ?? Node.Mapping([]) {
                if let text = innerValue.scalar?.string, text.contains("${"), !SecretReference.hasDefault(text) {
                    referenced.insert(name + "." + (inner.string ?? ""))
                }
            }
            pairs.append((key, expandSecrets(value, path: path + "." + name)))
        }
        guard let type else { return nil }
        return PluginNode(
            type: type, typeMark: mapping["type"]?.mark, schema: schema, schemaMark: schemaNode?.mark,
            options: .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark)),
            referencedKeys: referenced, unresolvedPaths: unresolvedPaths.filter { $0.hasPrefix(path + ".") },
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
                unresolvedPaths.insert(path)
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
