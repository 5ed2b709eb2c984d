import CPostgres

/// One `PGresult`, cleared when the last reference goes; values are read in place (text
/// format), valid while the result is.
final class PostgresResult {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    deinit { PQclear(handle) }

    var rowCount: Int { Int(PQntuples(handle)) }
    var columnCount: Int { Int(PQnfields(handle)) }

    /// The column's type OID as the server describes it (a domain arrives as its base type).
    func typeOID(_ column: Int) -> UInt32 { PQftype(handle, Int32(column)) }

    func columnName(_ column: Int) -> String { PQfname(handle, Int32(column)).map { String(cString: $0) } ?? "?" }

    @inline(__always)
    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    /// The value's bytes (text format); libpq also puts a NUL after them.
    @inline(__always)
    func bytes(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8> {
        let start = PQgetvalue(handle, Int32(row), Int32(column))
        let count = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return UnsafeBufferPointer(
            start: UnsafeRawPointer(start).map { $0.assumingMemoryBound(to: UInt8.self) }, count: count)
    }

    func string(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : String(decoding: bytes(row, column), as: UTF8.self)
    }
}
