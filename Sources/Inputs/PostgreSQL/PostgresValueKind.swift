/// How a column's text is turned into a `SQLValue`, chosen once per column from its type OID
/// (the OIDs are fixed for built-in types: `pg_type.dat` in PostgreSQL's source).
///
/// | PostgreSQL type | `SQLValue` |
/// | --- | --- |
/// | `int2`, `int4`, `int8`, `oid`, `xid`, `cid` | `.integer` |
/// | `xid8` (unsigned 64-bit) | `.integer`; a value above `Int64.max` is an error of its row |
/// | `float4`, `float8` | `.real` (`NaN`, `Infinity` included) |
/// | `bool` | `.integer` 1 or 0 |
/// | `bytea` | `.blob` |
/// | `timestamptz` | `.text`, RFC 3339 in UTC: `2024-05-01T12:34:56.789Z` |
/// | `timestamp` | `.text`, ISO 8601 without zone: `2024-05-01T12:34:56.789` |
/// | `numeric` | `.text`, exact (it can exceed a double) |
/// | everything else (`text`, `varchar`, `bpchar`, `json`, `jsonb`, `uuid`, `inet`, `date`, `interval`, arrays…) | `.text`, PostgreSQL's output form |
///
/// NULL is `.null` for every type. `infinity` and BC timestamps stay as PostgreSQL writes them.
enum PostgresValueKind: Equatable {
    case integer
    case unsignedInteger
    case real
    case boolean
    case bytes
    case timestampWithZone
    case timestamp
    case text

    init(typeOID: UInt32) {
        switch typeOID {
        case PostgresTypeOID.int2, PostgresTypeOID.int4, PostgresTypeOID.int8, PostgresTypeOID.oid,
            PostgresTypeOID.xid, PostgresTypeOID.cid:
            self = .integer
        case PostgresTypeOID.xid8: self = .unsignedInteger
        case PostgresTypeOID.float4, PostgresTypeOID.float8: self = .real
        case PostgresTypeOID.bool: self = .boolean
        case PostgresTypeOID.bytea: self = .bytes
        case PostgresTypeOID.timestamptz: self = .timestampWithZone
        case PostgresTypeOID.timestamp: self = .timestamp
        default: self = .text
        }
    }
}

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
