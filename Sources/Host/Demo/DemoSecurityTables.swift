import Foundation
import GRDB
import SIEMCore

/// Deterministic sample tables of the security streams beside the beacon registry: an
/// administrator audit log, threat findings, and a gateway's policy-decision outbox. What
/// `config/audit.yaml`, `threat.yaml` and `decisions.yaml` export, and what the benchmark reads.
///
/// Realistic and hostile on purpose: failed logins, IOC matches with confidence, all four
/// verdicts, unicode, NULLs, an address that is not one, a credential inside the details (for
/// redaction), and about one row in 500 whose time cannot be read (for the dead-letter file).
public enum DemoSecurityTable: String, CaseIterable, Sendable {
    case audit, threat, decisions

    /// The table's name and its schema, as an application would create it.
    public var tableName: String {
        switch self {
        case .audit: return "audit_log"
        case .threat: return "threat_findings"
        case .decisions: return "policy_decisions"
        }
    }

    var schema: String {
        switch self {
        case .audit:
            return """
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    ts INTEGER,                -- epoch seconds
                    action TEXT NOT NULL,
                    user_name TEXT,
                    service TEXT,
                    object TEXT,
                    result TEXT,               -- ok | denied | failed
                    client_ip TEXT,
                    user_agent TEXT,
                    summary TEXT,
                    details TEXT               -- JSON
                )
                """
        case .threat:
            return """
                CREATE TABLE threat_findings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    detected_at TEXT,          -- RFC 3339, milliseconds
                    kind TEXT NOT NULL,
                    indicator TEXT,
                    severity TEXT,             -- low | medium | high | critical
                    confidence INTEGER,        -- 0-100
                    src_ip TEXT,
                    dst_ip TEXT,
                    dst_port INTEGER,
                    summary TEXT,
                    evidence TEXT              -- JSON
                )
                """
        case .decisions:
            return """
                CREATE TABLE policy_decisions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    decided_at INTEGER,        -- epoch milliseconds
                    verdict TEXT NOT NULL,     -- ALLOW | DENY | ESCALATE | REWRITE
                    policy TEXT,
                    subject TEXT,
                    resource TEXT,
                    reason TEXT,
                    client_ip TEXT,
                    request TEXT,              -- JSON
                    status TEXT NOT NULL DEFAULT 'pending'
                )
                """
        }
    }

    /// Adds the table with `rows` rows to the SQLite file at `path` (made if missing); refuses
    /// a file that already has the table unless `replace`.
    public func write(rows: Int, seed: UInt64 = 2026, to path: String, replace: Bool = false) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.write { db in
            if try db.tableExists(tableName) {
                guard replace else {
                    throw SIEMError.output(
                        path: path, message: "already has the table `\(tableName)` (use --force to replace it)")
                }
                try db.execute(sql: "DROP TABLE \(tableName)")
            }
            try db.execute(sql: schema)
            let columns = try db.columns(in: tableName).map(\.name).filter {
                $0 != "seq" && $0 != "id" && $0 != "status"
            }
            let insert = try db.makeStatement(
                sql:
                    "INSERT INTO \(tableName) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
            )
            var random = SplitMix64(seed: seed ^ UInt64(rawValue.utf8.count) &* 0x9E37_79B9)
            for i in 0..<rows { try insert.execute(arguments: StatementArguments(row(i, &random))) }
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    func row(_ i: Int, _ random: inout SplitMix64) -> [(any DatabaseValueConvertible)?] {
        let time = DemoRegistryWriter.firstTimestamp + Int64(i) * 37 + Int64(random.next() % 30)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        let address: String? = pick([
            "198.51.100.\(i % 254 + 1)", "203.0.113.\(i % 200 + 7)", "2001:db8:7::\(String(i % 4096, radix: 16))",
            "192.0.2.10", nil, "unknown",
        ])
        switch self {
        case .audit:
            let actions = [
                "auth.login", "auth.login", "auth.login", "auth.logout", "config.update", "config.create",
                "config.delete", "data.read", "data.export", "role.grant",
            ]
            let action = pick(actions)
            let user: String? = pick(["alice", "bob", "zoë.müller", "李雷", "o'brien", "mallory\u{202E}gpj", nil])
            let service: String? = user == nil ? pick(["backup-job", "scim-sync", nil]) : nil
            let failed = action == "auth.login" && random.next() % 4 == 0
            let result: String? = failed ? pick(["denied", "failed"]) : (random.next() % 40 == 0 ? nil : "ok")
            let object: String? =
                action.hasPrefix("auth")
                ? "session/\(i)" : pick(["policy/42", "user/bob", "report/q3.pdf", "tenant/acme"])
            let details: String? =
                switch (action, random.next() % 9) {
                case (_, 0): nil
                case ("auth.login", 1): #"{"method":"password","password":"hunter2","mfa":false}"#
                case ("auth.login", _):
                    #"{"method":"\#(pick(["password", "sso", "webauthn"]))","mfa":\#(random.next() % 2 == 0)}"#
                case ("config.update", _):
                    #"{"before":{"retention_days":30},"after":{"retention_days":\#(i % 90)},"request":{"headers":{"Authorization":"Bearer tok-\#(i)"}}}"#
                case (_, 2): "not json {"
                default: #"{"rows":\#(i % 1000),"reason":"ticket \#(i)"}"#
                }
            let ts: (any DatabaseValueConvertible)? = i % 500 == 499 ? "yesterday" : time
            let summary = "\(user ?? service ?? "someone") \(action) \(object ?? "")\(failed ? " (refused)" : "")"
            return [
                ts, action, user, service, object, result, address,
                pick(["Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "curl/8.5.0", "AdminCLI/2.4", nil]), summary,
                details,
            ]
        case .threat:
            let kind = pick([
                "ioc.match", "ioc.match", "tls.weak_cipher", "tls.expired_certificate", "cert.self_signed",
                "tls.protocol_downgrade",
            ])
            let severity: String? = pick(["low", "medium", "medium", "high", "critical", nil])
            let indicator =
                kind == "ioc.match"
                ? pick(["evil.example", "44d88612fea8a8f36de82e1278abb02f", "198.51.100.66", "bad.例え.jp"])
                : "mail.acme.example:443"
            let fraction = String(format: ".%03d", Int(random.next() % 1000))
            let detected: (any DatabaseValueConvertible)? =
                i % 500 == 250
                ? "2026-13-40T00:00:00Z" : RFC3339.string(fromUnixSeconds: time).dropLast() + fraction + "Z"
            let evidence: String? =
                kind == "ioc.match"
                ? #"{"feed":"\#(pick(["abuse.ch", "internal"]))","first_seen":"2025-11-0\#(i % 9 + 1)","matches":\#(i % 7 + 1)}"#
                : #"{"cipher":"TLS_RSA_WITH_3DES_EDE_CBC_SHA","protocol":"TLSv1.0","token":"leaked-\#(i)"}"#
            return [
                detected, kind, indicator, severity, kind == "ioc.match" ? Int64(50 + random.next() % 51) : nil,
                address,
                pick(["203.0.113.80", "2001:db8::443", nil]), pick([443, 8443, 25] as [Int64?] + [nil]),
                "\(kind) on \(indicator)", evidence,
            ]
        case .decisions:
            let verdict = pick(["ALLOW", "ALLOW", "ALLOW", "DENY", "ESCALATE", "REWRITE"])
            let tool = pick(["shell.exec", "http.fetch", "file.write", "email.send", "db.query"])
            let reason: String? =
                switch verdict {
                case "DENY": "blocked by policy \(tool)-deny: destination not on allowlist"
                case "ESCALATE": "needs human approval: \(tool) on production"
                case "REWRITE": "redacted 2 fields before \(tool)"
                default: random.next() % 3 == 0 ? nil : "allowed by default rule"
                }
            let ms: (any DatabaseValueConvertible)? = i % 500 == 100 ? nil : time * 1_000 + Int64(random.next() % 1_000)
            return [
                ms, verdict, "policy/\(tool)", pick(["agent-7", "agent-12", "svc:deploy-bot", "ユーザー"]),
                "\(tool):\(pick(["/etc/passwd", "https://api.example/v1", "s3://bucket/report.csv"]))", reason,
                address, #"{"tool":"\#(tool)","args":{"n":\#(i % 17)},"api_key":"sk-\#(i)"}"#,
            ]
        }
    }
}
