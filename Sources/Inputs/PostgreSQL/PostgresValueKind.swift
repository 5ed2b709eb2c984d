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
