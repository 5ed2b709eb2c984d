import Foundation
import GRDB
import SIEMCore

/// Writes a deterministic sample beacon registry with the registry's real `events` schema.
///
/// The same `rows` and `seed` always give the same file contents, so demos, docs and benchmarks
/// are reproducible. Values are realistic but safe: documentation IP ranges (RFC 5737, RFC 3849),
/// `.example` domains, every beacon kind, NULL optionals, non-ASCII text, late-arriving timestamps.
public struct DemoRegistryWriter {
    /// The registry's `events` table as the registry creates it.
    public static let eventsTableSQL = """
        CREATE TABLE IF NOT EXISTS events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            token_id TEXT NOT NULL,
            file_id TEXT,
            recipient_id TEXT,
            issuer_id TEXT,
            kind TEXT NOT NULL,
            source_ip TEXT,
            user_agent TEXT,
            extra TEXT,
            timestamp INTEGER NOT NULL,
            qualified_timestamp TEXT,
            tlog_index INTEGER
        );
        CREATE INDEX IF NOT EXISTS idx_events_token ON events(token_id);
        CREATE INDEX IF NOT EXISTS idx_events_file ON events(file_id);
        """

    public static let demoRegistryID = "5f1d3c9ab0e24a7d8c6b4e2f9a1d0c3b7e5f2a9c4d6b8e0f1a3c5e7d9b2f4a6c"
    public static let firstTimestamp: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

    public var rows: Int
    public var seed: UInt64

    public init(rows: Int, seed: UInt64 = 2026) {
        self.rows = rows
        self.seed = seed
    }

    /// Creates `path` (which must not exist) and fills it in one transaction; `progress` is told
    /// how many rows are written, every 1,000 rows.
    public func write(to path: String, progress: (Int) -> Void = { _ in }) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.write { db in
            try db.execute(sql: Self.eventsTableSQL)
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO events (token_id, file_id, recipient_id, issuer_id, kind, source_ip, user_agent, extra,
                        timestamp, qualified_timestamp, tlog_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            var random = SplitMix64(seed: seed)
            var tlog: Int64 = 4_294_967_000
            for i in 0..<rows {
                let row = Self.row(i, &random, &tlog)
                try insert.execute(arguments: row)
                if i % 1_000 == 999 { progress(i + 1) }
            }
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    static let recipients: [String?] = [
        "alice@acme.example", "bob@acme.example", "zoë.müller@firma.example", "李雷@example.cn",
        "o'brien@legal.example", nil,
    ]
    static let issuers = ["acme.corp.legal", "acme.corp.finance", "firma.example/compliance"]
    static let userAgents: [String?] = [
        "Mozilla/5.0 OfficeDocViewer/2024", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "curl/8.5.0", "Prüfgerät/1.0 (ビューア; \"quoted\")", "", nil,
    ]

    static func row(_ i: Int, _ random: inout SplitMix64, _ tlog: inout Int64) -> StatementArguments {
        let kinds = ["http_img", "dns", "ocsp", "license", "http_img", "dns"]
        let kind = kinds[Int(random.next() % UInt64(kinds.count))]
        let file = Int(random.next() % 40)
        let token = String(format: "tok_%016llx", random.next())
        let fileID = String(format: "f-%08x-%04x", file * 2_654_435_761 & 0xFFFF_FFFF, file)
        let recipient = recipients[file % recipients.count]
        let issuer = issuers[file % issuers.count]
        let ip: String? =
            switch random.next() % 10 {
            case 0: nil
            case 1, 2: String(format: "2001:db8:%x::%x", random.next() % 0xFFFF, random.next() % 0xFFFF)
            case 3: "192.0.2.\(random.next() % 254 + 1)"
            case 4, 5, 6: "198.51.100.\(random.next() % 254 + 1)"
            default: "203.0.113.\(random.next() % 254 + 1)"
            }
        let userAgent: String? =
            switch kind {
            case "dns": nil
            case "ocsp": "Microsoft-CryptoAPI/10.0"
            default: userAgents[Int(random.next() % UInt64(userAgents.count))]
            }
        let timestamp = firstTimestamp + Int64(i) * 53 + Int64(random.next() % 120) - 60
        let extra: String? =
            switch (kind, random.next() % 8) {
            case (_, 0): nil
            case ("dns", _):
                #"{"qname":"\#(token).t.oversight.example","qtype":"\#(random.next() % 2 == 0 ? "A" : "AAAA")"}"#
            case ("http_img", _): #"{"path":"/p/\#(token).png","referer":"https://mail.example/inbox?id=\#(i)"}"#
            case ("ocsp", _):
                #"{"serial":"\#(String(format: "%llX", random.next()))","responder":"ocsp.oversight.example"}"#
            default: #"{"license_id":"lic-\#(file)","product":"Viewer Pro","seat":\#(i % 25),"checks":{"online":true}}"#
            }
        var qualified: String?
        var tlogIndex: Int64?
        if random.next() % 2 == 0 {
            qualified = RFC3339.string(fromUnixSeconds: timestamp + 1)
            tlog += 1
            tlogIndex = tlog
        }
        return [token, fileID, recipient, issuer, kind, ip, userAgent, extra, timestamp, qualified, tlogIndex]
    }
}

/// Sebastiano Vigna's SplitMix64: a tiny, fast, seedable generator, so the demo is deterministic.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
