import Foundation
import SIEMCore
import SIEMTestSupport
import Testing

@testable import SIEMInputs

/// How a JSON value at a path becomes a row value, and what paths address.
@Suite struct JSONLinesValuesTests {
    func read(_ fixture: String, columns: [String]) throws -> [[SQLValue]] {
        let file = try FollowedFile()
        try file.append(try String(contentsOf: JSONLinesSourceTests.fixture(fixture), encoding: .utf8))
        let source = try file.source()
        let reader = try source.open(
            SourceQuery(through: try source.endPosition()), columns: columns.map { SourceColumn($0) })
        var rows = RowBatch(columns: reader.columns)
        var values: [[SQLValue]] = []
        while true {
            try reader.next(into: &rows, max: 100)
            if rows.isEmpty { break }
            values += (0..<rows.count).map { row in rows.row(row).map(\.value) }
        }
        return values
    }

    @Test func valuesMapAsDocumented() throws {
        let expected: [String: SQLValue] = [
            "string": .text("plain text"),
            "escaped string": .text("tab\there \"quoted\" é 😀 slash/"),
            "unicode string": .text("ünïcödé 日本"),
            "integer": .integer(42),
            "negative integer": .integer(.min),
            "integer beyond 64 bits": .text("9223372036854775808"),
            "real": .real(1.5),
            "exponent": .real(2_000),
            "number beyond a double": .text("1e400"),
            "true": .text("true"),
            "false": .text("false"),
            "null": .null,
            "missing": .null,
            "object": .text(#"{"b":1,"a":[1,2]}"#),
            "empty object": .text("{}"),
            "array": .text(#"["x",{"y":null}]"#),
            "empty array": .text("[]"),
            "repeated name": .text("last"),
            "object with repeated name": .text(#"{"k":2}"#),
            "huge number inside an object": .text(#"{"n":"1e400"}"#),
        ]
        let rows = try read("values.jsonl", columns: ["case", "v"])
        #expect(rows.count == expected.count)
        for row in rows {
            let name = describe(row[0])
            #expect(row[1] == expected[name], "\(name)")
        }
    }

    @Test func pathsAddressMembersElementsDottedNamesAndTheWholeLine() throws {
        let columns = [
            "user.name", "user.roles[1]", #"["a.b"]"#, "a.b", "list[1].id", #"["we\"ird"]["[k]"]"#, "@timestamp",
            "list[5]", "user.name.first",
        ]
        let rows = try read("paths.jsonl", columns: columns)
        #expect(
            rows[0] == [
                .text("ada"), .text("ops"), .text("dotted key"), .text("nested"), .integer(8), .text("bracketed"),
                .text("2024-05-01T10:00:00Z"), .null, .null,
            ])
        #expect(rows[1].allSatisfy { $0 == .null }, "a string where an object was asked for is no value")
        #expect(rows[2][0] == .null && rows[2][1] == .null, "the last `user` wins, whole")
    }

    @Test func theWholeLineIsItsCanonicalJSON() throws {
        let rows = try read("paths.jsonl", columns: ["$"])
        #expect(rows[1] == [.text(#"{"user":"not an object","list":[]}"#)])
        #expect(rows[2] == [.text(#"{"user":{"roles":["later"]}}"#)])
    }

    @Test(arguments: [
        ("user.name", [JSONPath.Segment.member(Array("user".utf8)), .member(Array("name".utf8))]),
        ("a[0][12]", [.member(Array("a".utf8)), .index(0), .index(12)]),
        (#"["x.y"].z"#, [.member(Array("x.y".utf8)), .member(Array("z".utf8))]),
        (#"["\u00e9\"]"]"#, [.member(Array("é\"]".utf8))]),
        ("$", []),
        ("@timestamp", [.member(Array("@timestamp".utf8))]),
    ])
    func pathSyntax(_ text: String, _ segments: [JSONPath.Segment]) throws {
        #expect(try JSONPath(text).segments == segments)
    }

    @Test(arguments: ["", "a.", ".a", "a..b", "a[", "a[x]", "a[1", #"[""#, "a]b", "a[0]b"])
    func notAPath(_ text: String) {
        #expect(throws: JSONPath.Problem.self) { try JSONPath(text) }
    }
}
