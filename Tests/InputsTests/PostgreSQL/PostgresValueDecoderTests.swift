import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

/// Values of every mapped type, and the odd ones, read back through the reader from a real table.
@Suite struct PostgresValueDecoderTests {
    /// Creates `values` with an `id` and the given typed columns, inserts one row of SQL
    /// literals, and reads it back with the `unsafeIDOrder` rule (one writer: safe here).
    private func readRow(_ columns: [(String, String, String)]) throws -> [String: SQLValue] {
        let database = try PostgresTestDatabase(table: false)
        let definitions = columns.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let literals = columns.map(\.2).joined(separator: ", ")
        try database.writer().execute(
            "CREATE TABLE \"values\" (id bigint PRIMARY KEY, \(definitions)); "
                + "INSERT INTO \"values\" VALUES (1, \(literals))")
        let reader = try PostgresKeysetReader(
            connection: database.connect(), table: "\"values\"", columns: columns.map(\.0), rule: .unsafeIDOrder)
        var batch = PostgresRowBatch()
        try reader.read(after: .start, max: 10, into: &batch)
        try #require(batch.count == 1)
        return Dictionary(uniqueKeysWithValues: columns.indices.map { (columns[$0].0, batch[0, $0]) })
    }

    @Test func integersBooleansAndFloats() throws {
        let row = try readRow([
            ("small", "int2", "-32768"), ("normal", "int4", "2147483647"), ("big", "int8", "-9223372036854775808"),
            ("biggest", "int8", "9223372036854775807"), ("o", "oid", "4294967295"), ("yes", "bool", "true"),
            ("no", "bool", "false"), ("f4", "float4", "1.5"), ("f8", "float8", "0.1"),
            ("tiny", "float8", "5e-324"), ("huge", "float8", "1.7976931348623157e308"), ("nan", "float8", "'NaN'"),
            ("inf", "float8", "'-Infinity'"), ("negzero", "float8", "'-0'"),
        ])
        #expect(row["small"] == .integer(-32768))
        #expect(row["normal"] == .integer(2_147_483_647))
        #expect(row["big"] == .integer(.min))
        #expect(row["biggest"] == .integer(.max))
        #expect(row["o"] == .integer(4_294_967_295))
        #expect(row["yes"] == .integer(1))
        #expect(row["no"] == .integer(0))
        #expect(row["f4"] == .real(1.5))
        #expect(row["f8"] == .real(0.1))
        #expect(row["tiny"] == .real(.leastNonzeroMagnitude))
        #expect(row["huge"] == .real(.greatestFiniteMagnitude))
        guard case .real(let nan) = row["nan"], case .real(let inf) = row["inf"], case .real(let z) = row["negzero"]
        else {
            Issue.record("floats should be .real")
            return
        }
        #expect(nan.isNaN)
        #expect(inf == -.infinity)
        #expect(z == 0 && z.sign == .minus)
    }

    /// `numeric` stays exact text: beyond a double's range and precision alike.
    @Test func numericIsExactText() throws {
        let digits = String(repeating: "9", count: 400)
        let row = try readRow([
            ("beyond", "numeric", "\(digits).5"), ("precise", "numeric", "0.1000000000000000055511151231257827"),
            ("nan", "numeric", "'NaN'"),
        ])
        #expect(row["beyond"] == .text(UTF8Text("\(digits).5")))
        #expect(row["precise"] == .text("0.1000000000000000055511151231257827"))
        #expect(row["nan"] == .text("NaN"))
    }

    /// `xid8` is unsigned: up to `Int64.max` it is an integer, above it the row is an error.
    @Test func xid8NearItsTop() throws {
        let row = try readRow([("x", "xid8", "'9223372036854775807'")])
        #expect(row["x"] == .integer(.max))
        let error = try #require(throws: SIEMError.self) {
            _ = try readRow([("x", "xid8", "'9223372036854775808'")])
        }
        #expect(
            error
                == .badRow(id: 1, message: "column x: xid8 value 9223372036854775808 is above the signed 64-bit range"))
    }

    /// Text as stored, in UTF-8: every script, emoji, bidi controls, quotes and control characters;
    /// NUL cannot be in PostgreSQL text at all, so bytes with NULs go through `bytea`.
    @Test func oddTextAndBytes() throws {
        let odd = "é 中文 😀 \u{202E}rtl\u{202C} \"q\" \\ \t\n\u{1}"
        let bytes: [UInt8] = [0, 1, 0, 255, 0x5C, 0x78, 0]
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let row = try readRow([
            ("odd", "text", "E'é 中文 😀 \\u202Ertl\\u202C \"q\" \\\\ \\t\\n\\x01'"), ("empty", "text", "''"),
            ("padded", "char(5)", "'ab'"), ("v", "varchar(3)", "'xyz'"), ("blob", "bytea", "'\\x\(hex)'"),
            ("emptyblob", "bytea", "''"), ("j", "jsonb", "'{\"b\": [1, 2.50], \"a\": null}'"),
            ("js", "json", "'{\"b\":1, \"a\":2}'"),
            ("u", "uuid", "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"), ("ip", "inet", "'2001:db8::1/128'"),
            ("arr", "text[]", "ARRAY['a', 'b c']"),
        ])
        #expect(row["odd"] == .text(UTF8Text(odd)))
        #expect(row["empty"] == .text(""))
        #expect(row["padded"] == .text("ab   "))
        #expect(row["v"] == .text("xyz"))
        #expect(row["blob"] == .blob(bytes))
        #expect(row["emptyblob"] == .blob([]))
        #expect(row["j"] == .text(#"{"a": null, "b": [1, 2.50]}"#))
        #expect(row["js"] == .text(#"{"b":1, "a":2}"#))
        #expect(row["u"] == .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        #expect(row["ip"] == .text("2001:db8::1"))
        #expect(row["arr"] == .text(#"{a,"b c"}"#))
        if case .text(let text) = row["odd"] { #expect(!text.needsNoJSONEscaping) }
    }

    /// Timestamps in RFC 3339 (UTC, `Z`) for `timestamptz`, ISO 8601 for the others; the server's
    /// own time zone does not matter, and values ISO cannot express stay as PostgreSQL writes them.
    @Test func timestampsInISOForm() throws {
        let row = try readRow([
            ("tz", "timestamptz", "'2024-05-01 14:34:56.789+02'"), ("whole", "timestamptz", "'2024-05-01 00:00:00Z'"),
            ("local", "timestamp", "'2024-05-01 12:34:56.5'"), ("d", "date", "'2024-05-01'"),
            ("forever", "timestamptz", "'infinity'"), ("bc", "timestamptz", "'0044-03-15 12:00:00Z BC'"),
            ("span", "interval", "'1 day 2 hours'"), ("t", "time", "'13:14:15'"),
        ])
        #expect(row["tz"] == .text("2024-05-01T12:34:56.789Z"))
        #expect(row["whole"] == .text("2024-05-01T00:00:00Z"))
        #expect(row["local"] == .text("2024-05-01T12:34:56.5"))
        #expect(row["d"] == .text("2024-05-01"))
        #expect(row["forever"] == .text("infinity"))
        #expect(row["bc"] == .text("0044-03-15 12:00:00+00 BC"))
        #expect(row["span"] == .text("P1DT2H"))
        #expect(row["t"] == .text("13:14:15"))
    }

    @Test func nullsOfEveryTypeAreNull() throws {
        let types = ["int8", "float8", "bool", "bytea", "numeric", "timestamptz", "text", "jsonb", "xid8", "uuid"]
        let row = try readRow(types.enumerated().map { ("c\($0.offset)", $0.element, "NULL") })
        #expect(row.count == types.count)
        #expect(row.values.allSatisfy { $0 == .null })
    }

    /// Megabytes in one value each: text and bytes come through whole.
    @Test func hugeValues() throws {
        let row = try readRow([
            ("big", "text", "repeat('ab€', 1000000)"), ("blob", "bytea", "decode(repeat('00ff', 2000000), 'hex')"),
        ])
        guard case .text(let text) = row["big"], case .blob(let blob) = row["blob"] else {
            Issue.record("expected text and blob")
            return
        }
        #expect(text.count == 5_000_000)
        #expect(text.string.hasSuffix("ab€ab€"))
        #expect(blob.count == 4_000_000)
        #expect(blob.prefix(4) == [0, 255, 0, 255])
    }

    @Test func integerTextParsing() {
        func parse(_ s: String) -> Int64? {
            var s = s
            return s.withUTF8 { PostgresValueDecoder.parseInteger($0) }
        }
        #expect(parse("0") == 0)
        #expect(parse("-9223372036854775808") == .min)
        #expect(parse("9223372036854775807") == .max)
        #expect(parse("9223372036854775808") == nil)
        #expect(parse("-9223372036854775809") == nil)
        #expect(parse("18446744073709551616") == nil)
        #expect(parse("") == nil)
        #expect(parse("-") == nil)
        #expect(parse("1.5") == nil)
    }
}
