/// Options of a plugin that has none: any key in its YAML node is refused as unknown.
public struct NoOptions: PluginOptions {
    public static let specs: [OptionSpec<NoOptions>] = []
    public init() {}
}
