import ArgumentParser

/// placeholder
struct ConfigSchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config-schema", abstract: "x")
}
