import ArgumentParser

/// `siem-export config-schema`: the config's JSON Schema, for editors and CI.
struct ConfigSchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the config, generated from this build's plugins.",
        discussion: ExitCodes.help(
            [ExitCodes.done],
            note:
                "For VS Code's YAML extension (and other yaml-language-server editors): save it as siem-export.schema.json and start a config with\n# yaml-language-server: $schema=siem-export.schema.json"
        ))

    func run() async throws {
        print(PrettyJSON.text(ConfigSchema(registry: BuiltInPlugins.registry).document))
    }
}
