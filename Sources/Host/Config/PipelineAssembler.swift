import Foundation
import Logging
import SIEMCore
import Yams

/// Builds live plugins from a config through the plugin registry.
///
/// Looks up each `type`, refuses unknown option keys with a "did you mean" hint, checks schema
/// pins against the installed formatter, decodes and validates options, makes the plugins (a
/// missing database, an output directory that does not exist), and reports every config error
/// at once as `ConfigErrors`. Only what may pass by itself (a locked database, a server down)
/// is thrown as its own `SIEMError`.
public struct PipelineAssembler {
    public let registry: PluginRegistry
    /// For `validate`: plugins check what they would touch without creating or truncating files.
    public var dryRun: Bool

    /// Where plugins' warnings go (`PluginContext.warn`).
    public var logger: Logger?

    /// Whether a template that no longer matches its golden file stops the config (`validate`,
    /// `run`) or is only a warning (`tap`, which previews an edited template).
    public var templateDriftIsError = true

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
        // Every option of every plugin is decoded and validated before anything is opened; the
        // nodes whose options are right are the ones made below.
        var checked: Set<String> = []
        func note(_ ok: Bool, _ node: PluginNode) { if ok { checked.insert(node.path) } }
        for (stream, sourceEntry, mapperEntry) in streamEntries {
            if let sourceEntry { note(check(sourceEntry, stream.source, config, &diagnostics), stream.source) }
            if let mapperEntry { note(check(mapperEntry, stream.mapper, config, &diagnostics), stream.mapper) }
        }
        var redactors: [String: EventRedactor] = [:]
        var framings: [String: Framing] = [:]
        for (pipeline, formatterEntry, sinkEntry) in pipelineEntries {
            note(check(formatterEntry, pipeline.formatter, config, &diagnostics), pipeline.formatter)
            if check(sinkEntry, pipeline.sink, config, &diagnostics) {
                checked.insert(pipeline.sink.path)
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

        // Then every node whose options are right is made, so a missing database, an output
        // directory that does not exist and a wrong key elsewhere are reported together. A real
        // run makes nothing while the config is wrong: an output it would truncate stays as it is
        // (`run` checks with a dry run first, which has no side effects).
        guard dryRun || diagnostics.allSatisfy(\.isWarning) else {
            throw ConfigErrors(diagnostics: diagnostics.inFileOrder)
        }
        var build = BuildProblems(config: config, context: base)
        var streams: [AssembledStream] = []
        for (stream, sourceEntry, mapperEntry) in streamEntries {
            guard let sourceEntry, let mapperEntry else { continue }
            var context = base
            context.sourceName = stream.name
            let source = build.make(sourceEntry, stream.source, context, if: checked)
            let mapper = build.make(mapperEntry, stream.mapper, context, if: checked)
            if let source, let mapper { checkColumns(of: mapper, against: source, stream, &build) }
            var pipelines: [AssembledPipeline] = []
            for (pipeline, formatterEntry, sinkEntry) in pipelineEntries where pipeline.source == stream.name {
                var context = base
                context.pipelineName = pipeline.name
                if let mapper { checkCategory(mapper.category, pipeline, formatterEntry, config, &build.diagnostics) }
                var formatterContext = context
                formatterContext.schema = pipeline.formatter.schema.map { SchemaVersion($0) }
                let formatter = build.make(formatterEntry, pipeline.formatter, formatterContext, if: checked)
                if let formatter { checkTemplateDrift(of: formatter, pipeline.formatter, config, &build.diagnostics) }
                let sink = build.make(sinkEntry, pipeline.sink, context, if: checked)
                guard let formatter, let sink, let framing = framings[pipeline.name] ?? nil else { continue }
                pipelines.append(
                    AssembledPipeline(
                        name: pipeline.name, formatter: formatter, formatterID: formatterEntry.description.id,
                        framing: framing, sink: sink, sinkID: sinkEntry.description.id,
                        redactor: redactors[pipeline.name], onRefused: pipeline.onRefused,
                        deadLetterPath: pipeline.deadLetterPath.map(base.resolve(path:)),
                        schema: formatterContext.schema))
            }
            guard let source, let mapper else { continue }
            streams.append(
                AssembledStream(
                    name: stream.name, source: source, mapper: mapper, pipelines: pipelines,
                    checkpointPath: config.checkpointPath(of: stream),
                    deadLetterPath: (stream.deadLetterPath ?? config.deadLetterPath).map(base.resolve(path:))))
        }
        diagnostics = (diagnostics + build.diagnostics).inFileOrder
        guard diagnostics.allSatisfy(\.isWarning), streamEntries.allSatisfy({ $0.1 != nil && $0.2 != nil }) else {
            throw ConfigErrors(diagnostics: diagnostics)
        }
        // Only what may pass (a database locked by a writer, a server down) is left: exit 75.
        if let transient = build.transient { throw transient }
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
            for credential in credentials where !node.unresolvedPaths.contains(node.path + "." + credential) {
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
            // A value whose reference could not be expanded is already reported as such.
            diagnostics += decoding.diagnostics(for: problems).filter { !node.unresolvedPaths.contains($0.path) }
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

    static func isCredentialHeader(_ name: String) -> Bool { CredentialHeaders.isCredential(name) }

    private func diagnostic(
        _ node: PluginNode, _ config: PipelineConfigFile, path: String, _ message: String
    )
        -> ConfigDiagnostic
    {
        ConfigDiagnostic(
            file: config.path, line: node.mark?.line, column: node.mark?.column, path: path, message: message)
    }
}
