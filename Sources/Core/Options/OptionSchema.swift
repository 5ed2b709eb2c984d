/// The JSON Schema (draft 2020-12) of a structured option value (a template's fields), for the
/// config schema `siem-export config-schema` writes: what words in `OptionKind.structure` say,
/// in a form an editor's YAML language server checks as one types.
public struct OptionSchema: Sendable, Equatable {
    /// The value's schema; it may refer to `definitions` as `#/$defs/<name>`.
    public var schema: JSONValue
    /// Named schemas placed under the document's `$defs` (so a recursive structure can refer to
    /// itself).
    public var definitions: [Definition]

    public struct Definition: Sendable, Equatable {
        public var name: String
        public var schema: JSONValue
        public init(name: String, schema: JSONValue) {
            self.name = name
            self.schema = schema
        }
    }

    public init(schema: JSONValue, definitions: [Definition] = []) {
        self.schema = schema
        self.definitions = definitions
    }
}
