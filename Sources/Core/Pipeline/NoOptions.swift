/// Options of a plugin that has none: any key in its YAML node is refused as unknown.
public struct NoOptions: PluginOptions {
    public enum CodingKeys: OptionKey {
        public static var allCases: [CodingKeys] { [] }
        public var help: String { switch self {} }
        public var stringValue: String { switch self {} }
        public var intValue: Int? { nil }
        public init?(stringValue: String) { nil }
        public init?(intValue: Int) { nil }
    }

    public init() {}
    public init(from decoder: any Decoder) throws {}
    public func validate() throws {}
}
