/// One column of a source table as the catalog describes it: what a config is checked against.
public struct PostgresColumn: Sendable, Equatable {
    public var name: String
    /// The type's OID; for a domain, its base type's, as results report it.
    public var typeOID: UInt32
    /// `format_type()`'s name, e.g. `bigint`, `character varying(64)`, `xid8`.
    public var typeName: String
    public var isNotNull: Bool

    public init(name: String, typeOID: UInt32, typeName: String, isNotNull: Bool) {
        self.name = name
        self.typeOID = typeOID
        self.typeName = typeName
        self.isNotNull = isNotNull
    }

    /// `smallint`, `integer` or `bigint`: the types a cursor column may have.
    public var isCursorInteger: Bool { PostgresTypeOID.cursorIntegers.contains(typeOID) }
}
