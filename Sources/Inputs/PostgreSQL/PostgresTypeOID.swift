/// The OIDs of the built-in types the exporter treats specially.
enum PostgresTypeOID {
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let oid: UInt32 = 26
    static let xid: UInt32 = 28
    static let cid: UInt32 = 29
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let timestamp: UInt32 = 1114
    static let timestamptz: UInt32 = 1184
    static let numeric: UInt32 = 1700
    static let xid8: UInt32 = 5069

    /// The types a cursor column may have: integers that fit `Int64`.
    static let cursorIntegers: Set<UInt32> = [int2, int4, int8]
}
