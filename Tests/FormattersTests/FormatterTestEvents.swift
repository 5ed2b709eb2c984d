import SIEMCore

/// Events that exercise every optional field being present, absent, or odd.
enum FormatterTestEvents {
    static let full = Event(
        eventID: 42, kind: "dns", occurredUnix: 1_735_000_000, registryID: "reg", tokenID: "tok_abc",
        fileID: "file_xyz",
        recipientID: "rcpt_alice", issuerID: "issuer_zion", sourceIP: "198.51.100.42", userAgent: "Mozilla/5.0",
        qualifiedTimestamp: "2024-12-24T01:06:40Z", tlogIndex: 7,
        extra: JSONText(.object([("qname", .string("abc.t.example.com")), ("qtype", .string("A"))])))

    static let bare = Event(eventID: 1, kind: "ocsp", occurredUnix: 0, registryID: "reg")

    static let odd = Event(
        eventID: Int64.max, kind: "we\"ird\u{7F}", occurredUnix: -1, registryID: "r\\eg", userAgent: "line\nbreak\u{0}",
        tlogIndex: Int64.min, extra: JSONText(.object([("raw", .string("x\ty"))])))

    static let all = [full, bare, odd]
}

/// Audit, threat and decision events beyond the shared fixtures (Tests/Fixtures/events/): every
/// classification the contract names, fractions of every length, odd times and addresses.
enum SecurityTestEvents {
    static func audit(
        _ action: UTF8Text, id: Int64 = 9000, seconds: Int64 = 1_772_600_000, nanos: Int32 = 0,
        outcome: EventOutcome = .success
    ) -> Event {
        Event(
            category: .audit, eventID: id, occurredUnix: seconds, occurredNanos: nanos, origin: "acme-console",
            action: action, tenant: "acme", outcome: outcome, severity: .informational, actorUser: "alice")
    }

    /// One audit event per `config.<verb>` and `data.<verb>` (and one action the contract does not name).
    static let everyAuditVerb: [Event] = [
        "config.create", "config.read", "config.update", "config.delete", "config.rename", "config",
        "data.create", "data.read", "data.update", "data.delete", "data.export.csv", "auth.mfa", "Auth.Login",
    ].enumerated().map { audit(UTF8Text($0.element), id: 9100 + Int64($0.offset)) }

    /// Fractions of 1 to 9 significant digits, and times at the edges.
    static let times: [Event] = [
        audit("config.read", id: 9200, nanos: 1),
        audit("config.read", id: 9201, nanos: 123_456_789),
        audit("config.read", id: 9202, nanos: 120_000_000),
        audit("config.read", id: 9203, nanos: 999_999_999),
        audit("config.read", id: 9204, nanos: 4_000),
        audit("config.read", id: 9205, seconds: 0, nanos: 500_000_000),
        audit("config.read", id: 9206, seconds: -2, nanos: 250_000_000),
        audit("config.read", id: 9207, seconds: -1, nanos: 999_000_000),
        audit("config.read", id: 9208, seconds: 253_402_300_799, nanos: 999_999_999),
    ]

    static let threats: [Event] = [
        Event(
            category: .threat, eventID: 9300, occurredUnix: 1_772_700_000, origin: "acme-scanner",
            action: "cert.weak_key", tenant: "acme", severity: .low, target: "mail.acme.example",
            destinationIP: "mail.acme.example", destinationPort: 25),
        Event(
            category: .threat, eventID: 9301, occurredUnix: 1_772_700_001, origin: "acme-ids", action: "scan.ports",
            tenant: "acme", outcome: .success, severity: .informational, sourceIP: "192.0.2.1", sourcePort: 0,
            destinationIP: "192.0.2.1", destinationPort: 65_535, confidence: 100),
        Event(
            category: .threat, eventID: 9302, occurredUnix: 1_772_700_002, origin: "acme-ti", action: "ioc.match",
            tenant: "", severity: .critical, sourcePort: 4444, confidence: 30),
    ]

    static let decisions: [Event] = [
        Event(
            category: .decision, eventID: 9400, occurredUnix: 1_772_800_000, origin: "acme-gateway",
            action: "tool.call", tenant: "acme", outcome: .failure, severity: .unknown, actorService: "agent-9"),
        Event(
            category: .decision, eventID: 9401, occurredUnix: 1_772_800_001, origin: "acme-gateway",
            action: "tool.call", tenant: "acme", outcome: .success, severity: .medium, actorUser: "dave",
            sourceIP: "::1", userAgent: "agent/1.0", confidence: 70, verdict: .deny,
            attributes: JSONText(.object([("rule", .object([("id", .string("R-9"))]))]))),
    ]

    static let all = everyAuditVerb + times + threats + decisions
}
