import Foundation
import Logging
import SIEMCore
import Yams

/// Builds live plugins from a config through the plugin registry.
///
/// Looks up each `type`, refuses unknown option keys with a "did you mean" hint, checks schema
/// pins against the installed formatter, decodes and validates options, and reports every
/// config error at once. Errors that are not about the config (a missing database, an
/// unwritable output) are thrown as `SIEMError` with their own exit codes.
public struct PipelineAssembler {
    public let registry: PluginRegistry
    /// For `validate`: plugins check what they would touch without creating or truncating files.
    public var dryRun: Bool

    /// Where plugins' warnings go (`PluginContext.warn`).
    public var logger: Logger?

    public init(registry: PluginRegistry, dryRun: Bool = false, logger: Logger? = nil) {
        self.registry = registry
        self.dryRun = dryRun
        self.logger = logger
    }

    public func assemble(_ config: PipelineConfigFile) throws -> AssembledPipelines {
        var diagnostics = config.diagnostics
        let base = PluginContext(
            baseDirectory: config.baseDirectory, dryRun: dryRun, warn: { [logger] in logger?.warning("\($0)") })

        // Check every node before making anything, so one run reports all config errors.
        let streamEntries = config.sources.map { stream in
            (
                stream, lookup(stream.source, in: registry.sources, kind: "source", config, &diagnostics),
                lookup(stream.mapper, in: registry.mappers, kind: "mapper", config, &diagnostics)
            )
        }
        var pipelineEntries:
            [(PipelineConfig, PluginRegistration<any EventFormatter>, PluginRegistration<any EventSink>)] = []
        for pipeline in config.pipelines {
            if let entries = lookupPipeline(pipeline, config, &diagnostics) { pipelineEntries.append(entries) }
        }
        // Every option of every plugin is decoded and validated before anything is opened.
        for (stream, sourceEntry, mapperEntry) in streamEntries {
            if let sourceEntry { check(sourceEntry, stream.source, config, &diagnostics) }
            if let mapperEntry { check(mapperEntry, stream.mapper, config, &diagnostics) }
        }
        var redactors: [String: EventRedactor] = [:]
        var framings: [String: Framing] = [:]
        for (pipeline, formatterEntry, sinkEntry) in pipelineEntries {
            check(formatterEntry, pipeline.formatter, config, &diagnostics)
            if check(sinkEntry, pipeline.sink, config, &diagnostics) {
                framings[pipeline.name] = negotiateFraming(pipeline, formatterEntry, sinkEntry, config, &diagnostics)
            }
            if let node = pipeline.redact {
                checkKeys(node, options: EventRedactor.Options.descriptions, owner: "redact", config, &diagnostics)
                do {
                    let options = try YAMLOptionsDecoding(node: node.options, file: config.path, path: node.path)
                        .decodeOptions(EventRedactor.Options.self)
                    redactors[pipeline.name] = EventRedactor(options: options)
                } catch {
                    diagnostics.append(contentsOf: error.diagnostics)
                }
            }
        }
        checkOutputsAreDistinct(config, &diagnostics)
        diagnostics.sort { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
        guard diagnostics.allSatisfy(\.isWarning), streamEntries.allSatisfy({ $0.1 != nil && $0.2 != nil }) else {
            throw ConfigErrors(diagnostics: diagnostics)
        }

        var streams: [AssembledStream] = []
        for (stream, sourceEntry, mapperEntry) in streamEntries {
            var context = base
            context.sourceName = stream.name
            let source = try make(sourceEntry!, stream.source, config, context)
            let mapper = try make(mapperEntry!, stream.mapper, config, context)
            try checkColumns(of: mapper, against: source, stream, config)
            var pipelines: [AssembledPipeline] = []
            for (pipeline, formatterEntry, sinkEntry) in pipelineEntries where pipeline.source == stream.name {
                var context = base
                context.pipelineName = pipeline.name
                try checkCategory(mapper.category, pipeline, formatterEntry, config)
                var formatterContext = context
                formatterContext.schema = pipeline.formatter.schema.map { SchemaVersion($0) }
                pipelines.append(
                    AssembledPipeline(
                        name: pipeline.name,
                        formatter: try make(formatterEntry, pipeline.formatter, config, formatterContext),
                        formatterID: formatterEntry.description.id, framing: framings[pipeline.name]!,
                        sink: try make(sinkEntry, pipeline.sink, config, context), sinkID: sinkEntry.description.id,
                        redactor: redactors[pipeline.name], onRefused: pipeline.onRefused,
                        deadLetterPath: pipeline.deadLetterPath.map(base.resolve(path:)),
                        schema: formatterContext.schema))
            }
            streams.append(
                AssembledStream(
                    name: stream.name, source: source, mapper: mapper, pipelines: pipelines,
                    checkpointPath: config.checkpointPath(of: stream),
                    deadLetterPath: (stream.deadLetterPath ?? config.deadLetterPath).map(base.resolve(path:))))
        }
        return AssembledPipelines(streams: streams, batchSize: config.batchSize, warnings: diagnostics)
    }

    /// A pipeline's formatter and sink, with the checks that need only the registry (a renamed
    /// sink type, HEC's old dead-letter key, a schema pin the formatter cannot write).
    private func lookupPipeline(
        _ pipeline: PipelineConfig, _ config: PipelineConfigFile, _ diagnostics: inout [ConfigDiagnostic]
    ) -> (PipelineConfig, PluginRegistration<any EventFormatter>, PluginRegistration<any EventSink>)? {
        var pipeline = pipeline
        let formatter = lookup(pipeline.formatter, in: registry.formatters, kind: "formatter", config, &diagnostics)
        var sinkNode = pipeline.sink
        if let current = registry.formerSinkIDs[sinkNode.type] {
            let mark = sinkNode.typeMark ?? sinkNode.mark
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: mark?.line, column: mark?.column, path: sinkNode.path + ".type",
                    message:
                        "sink type '\(sinkNode.type)' is now '\(current)' (the retired HTTP Data Collector API; Microsoft Sentinel's current route is azure_logs_ingestion)",
                    isWarning: true))
            sinkNode.type = current
            pipeline.sink = sinkNode
        }
        let sink = lookup(sinkNode, in: registry.sinks, kind: "sink", config, &diagnostics)
        // HEC's own dead-letter option, from before refused events of every sink went to the
        // pipeline's dead-letter file: still honoured, as that file's path.
        if sink?.description.id == "splunk_hec", let node = sinkNode.options.mapping?["dead_letter_path"],
            let path = node.string
        {
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: node.mark?.line, column: node.mark?.column,
                    path: sinkNode.path + ".dead_letter_path",
                    message:
                        "deprecated: refused events of every sink go to the pipeline's dead-letter file; write `dead_letter: {path: \(path)}` on the pipeline instead",
                    isWarning: true))
            if pipeline.deadLetterPath == nil { pipeline.deadLetterPath = path }
        }
        if let formatter, let pin = pipeline.formatter.schema,
            !formatter.description.schemas.contains(SchemaVersion(pin))
        {
            let older = formatter.description.schemas.dropFirst().map(\.name)
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: pipeline.formatter.schemaMark?.line,
                    column: pipeline.formatter.schemaMark?.column, path: pipeline.formatter.path + ".schema",
                    message:
                        "config pins schema '\(pin)' but the installed \(formatter.description.id) formatter writes '\(formatter.description.schema?.name ?? "?")'"
                        + (older.isEmpty ? "" : " (and still \(older.joined(separator: ", ")) when pinned)")
                        + "; review docs/SCHEMAS.md before changing the pin"
                ))
        }
        guard let formatter, let sink else { return nil }
        return (pipeline, formatter, sink)
    }

    /// A formatter renders only the categories it declares: `cef` for audit events it does not
    /// know is refused, not left to write beacon-shaped records.
    private func checkCategory(
        _ category: EventCategory, _ pipeline: PipelineConfig, _ formatter: PluginRegistration<any EventFormatter>,
        _ config: PipelineConfigFile
    ) throws {
        let pin = pipeline.formatter.schema.map { SchemaVersion($0) }
        let categories = formatter.description.categories(pinned: pin)
        guard !categories.contains(category) else { return }
        let rendered = categories.map(\.rawValue).joined(separator: ", ")
        if let pin, formatter.description.categories.contains(category) {
            // An older version pinned that predates the category: say which version renders it.
            let mark = pipeline.formatter.schemaMark ?? pipeline.formatter.mark
            throw ConfigErrors(diagnostics: [
                ConfigDiagnostic(
                    file: config.path, line: mark?.line, column: mark?.column,
                    path: pipeline.formatter.path + ".schema",
                    message:
                        "formatter '\(formatter.description.id)' pinned to \(pin) renders \(rendered) events, not the \(category.rawValue) events its source yields; \(formatter.description.schema?.name ?? "the current schema") renders them (see docs/SCHEMAS.md)"
                )
            ])
        }
        let mark = pipeline.formatter.typeMark ?? pipeline.formatter.mark
        throw ConfigErrors(diagnostics: [
            ConfigDiagnostic(
                file: config.path, line: mark?.line, column: mark?.column, path: pipeline.formatter.path + ".type",
                message:
                    "formatter '\(formatter.description.id)' renders \(rendered) events, not the \(category.rawValue) events its source yields"
            )
        ])
    }

    /// Every column the mapper names exists in the source (when the source can tell before
    /// reading): each missing one reported at the key that names it, with the closest column.
    private func checkColumns(
        of mapper: any EventMapper, against source: any EventSource, _ stream: SourceConfig,
        _ config: PipelineConfigFile
    ) throws {
        guard let available = try source.availableColumns() else { return }
        let present = Set(available.map { $0.lowercased() })
        var diagnostics: [ConfigDiagnostic] = []
        for column in mapper.columns where column.isRequired && !present.contains(column.name.lowercased()) {
            guard let configPath = column.configPath else { continue }
            var node: Node? = stream.mapper.options
            for part in configPath.split(separator: ".") { node = node?.mapping?[String(part)] }
            let mark = node?.mark ?? stream.mapper.mark
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: mark?.line, column: mark?.column,
                    path: stream.mapper.path + "." + configPath,
                    message: "\(source.identity) has no column '\(column.name)'"
                        + Suggestion.hint(for: column.name, in: available)))
        }
        if !diagnostics.isEmpty { throw ConfigErrors(diagnostics: diagnostics) }
    }

    private func lookup<I>(
        _ node: PluginNode, in table: [String: PluginRegistration<I>], kind: String, _ config: PipelineConfigFile,
        _ diagnostics: inout [ConfigDiagnostic]
    ) -> PluginRegistration<I>? {
        guard let entry = table[node.type] else {
            diagnostics.append(
                diagnostic(
                    node, config, path: node.path + ".type",
                    "unknown \(kind) type '\(node.type)'" + Suggestion.hint(for: node.type, in: Array(table.keys))))
            return nil
        }
        checkKeys(node, options: entry.description.options, owner: "\(kind) '\(node.type)'", config, &diagnostics)
        return entry
    }

    /// Refuses keys the options do not declare (with "did you mean"), and credentials written
    /// inline: the one place the secret-by-reference rule is applied, for plugins and for
    /// `redact:` alike. Request headers named like credentials count as secrets too.
    private func checkKeys(
        _ node: PluginNode, options: [OptionDescription], owner: String, _ config: PipelineConfigFile,
        _ diagnostics: inout [ConfigDiagnostic]
    ) {
        let allowed = options.map(\.key)
        let secrets = Set(options.filter(\.isSecret).map(\.key))
        for (key, value) in node.options.mapping ?? Node.Mapping([]) {
            let name = key.string ?? ""
            var credentials = secrets.contains(name) ? [name] : []
            if name == "headers" {
                credentials += (value.mapping?.keys.compactMap(\.string) ?? []).filter(Self.isCredentialHeader).map {
                    "headers." + $0
                }
            }
            // Every credential is removed from whatever leaves the process (logs, stderr, summary,
            // dead letters, metrics), whichever message would carry it.
            for credential in credentials {
                let parts = credential.split(separator: ".", maxSplits: 1).map(String.init)
                let held = parts.count == 2 ? value.mapping?[parts[1]]?.string : value.string
                held.map(OutputRedaction.shared.register)
            }
            for credential in credentials where !node.referencedKeys.contains(credential) {
                diagnostics.append(
                    ConfigDiagnostic(
                        file: config.path, line: value.mark?.line, column: value.mark?.column,
                        path: node.path + "." + credential,
                        message:
                            "a credential must be given by reference (${env:NAME} or ${file:PATH}), not written in the config"
                    ))
            }
            if !allowed.contains(name) {
                let hint = Suggestion.hint(for: name, in: allowed + (owner.hasPrefix("formatter") ? ["schema"] : []))
                diagnostics.append(
                    ConfigDiagnostic(
                        file: config.path, line: key.mark?.line, column: key.mark?.column, path: node.path,
                        message: "unknown key '\(name)' for \(owner)"
                            + (allowed.isEmpty ? " (it takes no options)" : hint)
                    ))
            }
        }
    }

    /// Decodes and validates one plugin's options, turning what is wrong into diagnostics; true
    /// when they are right.
    @discardableResult
    private func check<I>(
        _ entry: PluginRegistration<I>, _ node: PluginNode, _ config: PipelineConfigFile,
        _ diagnostics: inout [ConfigDiagnostic]
    ) -> Bool {
        let decoding = YAMLOptionsDecoding(node: node.options, file: config.path, path: node.path)
        do {
            try entry.check(options: decoding)
            return true
        } catch let problems as OptionProblems {
            diagnostics.append(contentsOf: decoding.diagnostics(for: problems))
        } catch {
            diagnostics.append(diagnostic(node, config, path: node.path, "\(error)"))
        }
        return false
    }

    /// The framing a pipeline's records travel in: the first the sink accepts that the formatter
    /// can produce. A pair that does not fit (`cef` into `elasticsearch`) is a config error naming
    /// the formatters that do fit the sink.
    private func negotiateFraming(
        _ pipeline: PipelineConfig, _ formatter: PluginRegistration<any EventFormatter>,
        _ sink: PluginRegistration<any EventSink>, _ config: PipelineConfigFile, _ diagnostics: inout [ConfigDiagnostic]
    ) -> Framing? {
        let decoding = YAMLOptionsDecoding(node: pipeline.sink.options, file: config.path, path: pipeline.sink.path)
        guard let accepted = try? sink.acceptedFramings(options: decoding) else { return nil }
        if let framing = Framing.negotiate(produced: formatter.description.framings, accepted: accepted) {
            return framing
        }
        let fitting = registry.formatters.values.filter {
            Framing.negotiate(produced: $0.description.framings, accepted: accepted) != nil
        }.map(\.description.id).sorted()
        let takes = accepted.map(\.kind.rawValue).joined(separator: " or ")
        let mark = pipeline.sink.typeMark ?? pipeline.sink.mark
        diagnostics.append(
            ConfigDiagnostic(
                file: config.path, line: mark?.line, column: mark?.column, path: pipeline.sink.path + ".type",
                message:
                    "formatter '\(formatter.description.id)' cannot feed sink '\(sink.description.id)': the sink takes \(takes) records; formatters that fit: \(fitting.joined(separator: ", "))"
            ))
        return nil
    }

    /// Makes one plugin whose options have passed `check`; what fails now is not the config's fault
    /// (a missing database, an unwritable path) and is thrown as is.
    private func make<I>(
        _ entry: PluginRegistration<I>, _ node: PluginNode, _ config: PipelineConfigFile, _ context: PluginContext
    ) throws -> I {
        try entry.make(
            options: YAMLOptionsDecoding(node: node.options, file: config.path, path: node.path), context: context)
    }

    static func isCredentialHeader(_ name: String) -> Bool { CredentialHeaders.isCredential(name) }

    /// Two pipelines appending to one file would interleave their lines (and a `truncate` one
    /// would empty the other's output), as would an output that is also the checkpoint or a
    /// dead-letter file: refused before anything is opened. Dead-letter files may be shared:
    /// their lines are written whole, one writer per file.
    private func checkOutputsAreDistinct(_ config: PipelineConfigFile, _ diagnostics: inout [ConfigDiagnostic]) {
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

    private func diagnostic(
        _ node: PluginNode, _ config: PipelineConfigFile, path: String, _ message: String
    )
        -> ConfigDiagnostic
    {
        ConfigDiagnostic(
            file: config.path, line: node.mark?.line, column: node.mark?.column, path: path, message: message)
    }
}
