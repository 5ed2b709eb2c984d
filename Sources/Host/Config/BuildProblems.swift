import Foundation
import SIEMCore
import Yams

/// What goes wrong while plugins are made from options that passed their checks: a database
/// that is missing or not a database, an output directory that does not exist, a table without
/// the columns named. Each is reported at the key that names the thing (its `file:line:col`)
/// with every other problem of the config, keeping its own exit code (66, 73) so that one that
/// may heal is not mistaken for a wrong config (`ConfigErrors.exitCode`). What passes by itself
/// (a writer holding the database, a server down) is kept apart as `transient`: when nothing
/// else is wrong it is thrown as is, exit 75, "try again later".
struct BuildProblems {
    let config: PipelineConfigFile
    let context: PluginContext
    var diagnostics: [ConfigDiagnostic] = []
    /// The first problem that is not the config's: thrown as is when nothing else is wrong.
    var transient: (any Error)?

    init(config: PipelineConfigFile, context: PluginContext) {
        self.config = config
        self.context = context
    }

    /// Makes one plugin whose options passed `check` (its path is in `checked`); nil when it
    /// could not be made, with why recorded.
    mutating func make<I>(
        _ entry: PluginRegistration<I>, _ node: PluginNode, _ context: PluginContext, if checked: Set<String>
    ) -> I? {
        guard checked.contains(node.path) else { return nil }
        do {
            return try entry.make(
                options: YAMLOptionsDecoding(node: node.options, file: config.path, path: node.path),
                context: context)
        } catch {
            record(error, at: node)
            return nil
        }
    }

    /// `error`, raised while making or inspecting the plugin of `node`, as diagnostics there.
    mutating func record(_ error: any Error, at node: PluginNode) {
        switch error {
        case let errors as ConfigErrors:
            diagnostics += errors.diagnostics
        case SIEMError.locked, SIEMError.delivery(_, _, true):
            if transient == nil { transient = error }
        case let error as SIEMError:
            let (path, mark) = key(naming: error.location, in: node)
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: mark?.line, column: mark?.column, path: path,
                    message: error.description, exitCode: error.exitCode))
        default:
            diagnostics.append(
                ConfigDiagnostic(
                    file: config.path, line: node.mark?.line, column: node.mark?.column, path: node.path,
                    message: "\(error)"))
        }
    }

    /// The option whose value is what the error is about (`path: registry.sqlite` for a missing
    /// database, resolved against the config's directory as the plugin resolved it); else the node.
    private func key(naming location: String?, in node: PluginNode) -> (String, Mark?) {
        if let location {
            for (key, value) in node.options.mapping ?? Node.Mapping([]) {
                guard let text = value.string, !text.isEmpty, let name = key.string else { continue }
                let resolved = (context.resolve(path: text) as NSString).standardizingPath
                if text == location || resolved == (location as NSString).standardizingPath {
                    return (node.path + "." + name, value.mark)
                }
            }
        }
        return (node.path, node.mark)
    }
}
