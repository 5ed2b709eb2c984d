/// One SQLite value as stored, before any interpretation: SQLite columns are dynamically typed,
/// so a `timestamp` may hold TEXT or REAL in an older registry and the mapper decides.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(UTF8Text)
    case blob([UInt8])

    /// The value as text where that is lossless, nil for NULL; numbers become their decimal form.
    public var textValue: UTF8Text? {
        switch self {
        case .null: return nil
        case .text(let s): return s
        case .integer(let i): return UTF8Text(String(i))
        case .real(let d): return UTF8Text(String(d))
        case .blob(let b): return UTF8Text(String(decoding: b, as: UTF8.self))
        }
    }
}
