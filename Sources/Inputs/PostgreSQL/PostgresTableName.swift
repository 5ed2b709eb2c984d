/// A table's schema and name as the catalog spells them, and their quoted SQL form.
///
/// A config names a table in SQL syntax (`events`, `audit.events`, `"Audit"."Events"`), resolved
/// by the server's own `to_regclass` and search path; queries then use the quoted catalog names,
/// so no configured text is ever pasted into SQL.
public struct PostgresTableName: Sendable, Hashable, CustomStringConvertible {
    public var schema: String
    public var name: String

    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// `"schema"."name"`, safe to put in SQL.
    public var quoted: String { "\(Self.quote(schema)).\(Self.quote(name))" }

    /// `schema.name`, for messages.
    public var description: String { "\(schema).\(name)" }

    /// An identifier in double quotes, embedded quotes doubled (SQL's rule; PostgreSQL docs 4.1.1).
    public static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacing("\"", with: "\"\"") + "\""
    }
}
