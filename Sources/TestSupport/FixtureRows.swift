import Foundation
import SIEMCore
import SIEMInputs

/// The shared input rows under `Tests/Fixtures/rows/`, one JSON object per file.
///
/// A new case is a new file: every golden-file test picks it up without code changes. JSON
/// integers become SQLite INTEGER, numbers with a fraction REAL, strings TEXT, null and missing
/// keys NULL, so fixtures can hold what a real registry holds, including odd types.
public enum FixtureRows {
    public struct Case: Sendable {
        public let name: String
        public let row: BeaconRow
    }

    public static var directory: URL { RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/rows") }

    public static func all() throws -> [Case] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Case(name: String(file.dropLast(5)), row: try row(fromJSON: text))
        }
    }

    public static func row(fromJSON text: String) throws -> BeaconRow {
        let value = try JSONParser.parse(text)
        guard case .object = value, case .number(let idText)? = value["id"], let id = Int64(idText) else {
            throw SIEMError.usage("fixture needs an integer \"id\"")
        }
        func column(_ name: String) -> SQLValue {
            switch value[name] {
            case nil, .null?: return .null
            case .string(let s)?: return .text(UTF8Text(s))
            case .number(let n)?:
                if let i = Int64(n) { return .integer(i) }
                return .real(Double(n) ?? .nan)
            case let other?: return .text(UTF8Text(other.jsonText))
            }
        }
        return BeaconRow(
            id: id, tokenID: column("token_id"), fileID: column("file_id"), recipientID: column("recipient_id"),
            issuerID: column("issuer_id"), kind: column("kind"), sourceIP: column("source_ip"),
            userAgent: column("user_agent"), extra: column("extra"), timestamp: column("timestamp"),
            qualifiedTimestamp: column("qualified_timestamp"), tlogIndex: column("tlog_index"))
    }
}

/// Where the repository's files are, found from this source file's own path.
public enum RepositoryPaths {
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
