import SIEMCore
import SIEMFormatters
import Yams

/// The checks that need the plugins made: what the source holds against what the mapper reads,
/// what the mapper yields against what each formatter renders, and a template against its
/// golden file. Each appends what is wrong and lets the others run.
extension PipelineAssembler {
    /// A formatter renders only the categories it declares: `cef` for audit events it does not
    /// know is refused, not left to write beacon-shaped records.
    func checkCategory(
        _ category: EventCategory, _ pipeline: PipelineConfig, _ formatter: PluginRegistration<any EventFormatter>,
        _ config: PipelineConfigFile, _ diagnostics: inout [ConfigDiagnostic]
    ) {
        let pin = pipeline.formatter.schema.map { SchemaVersion($0) }
        let categories = formatter.description.categories(pinned: pin)
        guard !categories.contains(category) else { return }
        let rendered = categories.map(\.rawValue).joined(separator: ", ")
        if let pin, formatter.description.categories.contains(category) {
            // An older version pinned that predates the category: say which version renders it.
            let mark = pipeline.formatter.schemaMark ?? pipeline.formatter.mark
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: mark?.line, column: mark?.column,
                    path: pipeline.formatter.path + ".schema",
                    message:
                        "formatter '\(formatter.description.id)' pinned to \(pin) renders \(rendered) events, not the \(category.rawValue) events its source yields; \(formatter.description.schema?.name ?? "the current schema") renders them (see docs/SCHEMAS.md)"
                ))
            return
        }
        let mark = pipeline.formatter.typeMark ?? pipeline.formatter.mark
        diagnostics.append(
            ConfigDiagnostic(
                file: config.path, line: mark?.line, column: mark?.column, path: pipeline.formatter.path + ".type",
                message:
                    "formatter '\(formatter.description.id)' renders \(rendered) events, not the \(category.rawValue) events its source yields"
            ))
    }

    /// Every column the mapper names exists in the source (when the source can tell before
    /// reading): each missing one reported at the key that names it, with the closest column.
    func checkColumns(
        of mapper: any EventMapper, against source: any EventSource, _ stream: SourceConfig,
        _ build: inout BuildProblems
    ) {
        let available: [String]
        do {
            guard let columns = try source.availableColumns() else { return }
            available = columns
        } catch {
            build.record(error, at: stream.source)
            return
        }
        let present = Set(available.map { $0.lowercased() })
        for column in mapper.columns where column.isRequired && !present.contains(column.name.lowercased()) {
            guard let configPath = column.configPath else { continue }
            var node: Node? = stream.mapper.options
            for part in configPath.split(separator: ".") { node = node?.mapping?[String(part)] }
            let mark = node?.mark ?? stream.mapper.mark
            build.diagnostics.append(
                ConfigDiagnostic(
                    file: build.config.path, line: mark?.line, column: mark?.column,
                    path: stream.mapper.path + "." + configPath,
                    message: "\(source.identity) has no column '\(column.name)'"
                        + Suggestion.hint(for: column.name, in: available)))
        }
    }

    /// A `template` formatter with a `golden:` file renders the sample events exactly as recorded
    /// there and passes its own `tests:`, the pin a built-in formatter's schema version gives: an
    /// edited template without a new version and a new recording is refused here, not found
    /// later by `golden check` (or by the SIEM's parser). A warning only for `tap`, whose job is
    /// to show the edited template's output.
    func checkTemplateDrift(
        of formatter: any EventFormatter, _ node: PluginNode, _ config: PipelineConfigFile,
        _ diagnostics: inout [ConfigDiagnostic]
    ) {
        guard let template = formatter as? TemplateFormatter else { return }
        for problem in GoldenTemplates.drift(of: template) {
            var at = node.options.mapping?[problem.key]
            var path = node.path + "." + problem.key
            if let index = problem.index, let item = at?.sequence?[index] {
                at = item
                path += "[\(index)]"
            }
            let mark = at?.mark ?? node.mark
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: mark?.line, column: mark?.column, path: path, message: problem.message,
                    isWarning: !templateDriftIsError))
        }
    }
}
