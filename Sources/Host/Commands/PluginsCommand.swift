import ArgumentParser
import Foundation
import SIEMCore

/// `siem-export plugins`: every registered plugin with its schema version and options.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List every registered source, mapper, formatter and sink with its options.",
        discussion: ExitCodes.help([ExitCodes.done]))

    func run() async throws {
        print(Self.listing(BuiltInPlugins.registry), terminator: "")
    }

    static func listing(_ registry: PluginRegistry) -> String {
        var out = ""
        func section(_ title: String, _ descriptions: [PluginDescription]) {
            out += "\(title):\n"
            for d in descriptions.sorted(by: { $0.id < $1.id }) {
                var head = "  \(d.id)"
                if let schema = d.schema { head += "  schema \(schema)" }
                if !d.framings.isEmpty { head += "  framings \(d.framings.map(\.rawValue).joined(separator: ", "))" }
                if !d.acceptedFramings.isEmpty {
                    head += "  takes \(d.acceptedFramings.map(\.kind.rawValue).joined(separator: ", "))"
                }
                if !d.aliases.isEmpty { head += "  aliases \(d.aliases.joined(separator: ", "))" }
                out += head + "\n    \(d.summary)\n"
                if d.options.isEmpty {
                    out += "    options: none\n"
                    continue
                }
                let width = d.options.map(\.key.count).max() ?? 0
                out += "    options:\n"
                for o in d.options {
                    let padded = o.key.padding(toLength: width, withPad: " ", startingAt: 0)
                    out +=
                        "      \(padded)  \(o.help) (default: \(o.defaultValue.isEmpty ? "required" : o.defaultValue))\n"
                }
            }
        }
        section("sources", registry.sources.values.map(\.description))
        section("mappers", registry.mappers.values.map(\.description))
        section("formatters", registry.formatters.values.map(\.description))
        section("sinks", registry.sinks.values.map(\.description))
        return out
    }
}
