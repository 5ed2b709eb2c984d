import SIEMCore
import SIEMTestSupport

/// Random audit, threat and decision events for property tests: every action kind of the
/// classification contract (and case variants, and nonsense), every outcome and severity, a user,
/// a service or no actor, addresses of every shape (IPv4, IPv6, IPv4-mapped, too long for OCSF,
/// not an address), ports in and out of range, confidence at the band edges, every verdict, and
/// attributes with a rule or an indicator written nested or as dotted keys. Text fields carry what
/// needs escaping (`RandomRows.randomText`).
enum RandomSecurityEvents {
    static let actions = [
        "auth.login", "auth.logout", "AUTH.Login", "config.create", "config.read", "config.update", "config.delete",
        "config.reload", "data.read", "data.update", "data.export", "user.delete", "ioc.match", "tls.weak_cipher",
        "cert.expired", "exploit.attempt", "tool.call", "payment.create", "x", "a|b=c\\d\ne",
        String(repeating: "é", count: 700),
    ]
    static let addresses = [
        "203.0.113.7", "10.0.0.1", "::1", "2001:db8::5", "fe80::1", "::ffff:192.0.2.1",
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "256.1.1.1", "01.2.3.4", "example.org", " 203.0.113.7",
        "unknown, 10.0.0.1",
    ]
    static let stixTypes = [
        "domain-name", "ipv4-addr", "ipv6-addr", "url", "x509-certificate", "email-addr", "file", "mutex",
    ]

    static func text(_ random: inout SeededRandom) -> UTF8Text? {
        guard case .text(let text) = RandomRows.randomText(&random) else { return nil }
        return text
    }

    static func maybe<T>(_ random: inout SeededRandom, _ make: (inout SeededRandom) -> T?) -> T? {
        Bool.random(using: &random) ? make(&random) : nil
    }

    static func attributes(_ random: inout SeededRandom) -> JSONText? {
        var members: [(key: String, value: JSONValue)] = []
        switch Int.random(in: 0...5, using: &random) {
        case 0: return nil
        case 1:
            members.append(
                (
                    "rule",
                    .object([
                        ("id", .string("R-\(Int.random(in: 1...99, using: &random))")), ("name", .string("no-shell")),
                    ])
                ))
        case 2:
            members += [
                ("rule.id", .number("17")), ("rule.ruleset", .string("egress")), ("rule.version", .string("3")),
            ]
        case 3:
            let type = stixTypes.randomElement(using: &random)!
            members.append(
                (
                    "indicator",
                    .object([
                        ("type", .string(type)), ("value", .string("evil.example")), ("provider", .string("feed")),
                    ])
                ))
        case 4:
            members += [("indicator.value", .string("198.51.100.9")), ("indicator.type", .string("ipv4-addr"))]
        default:
            members.append(("note", .string(text(&random)?.string ?? "")))
        }
        members.append(("n", .number("123456789012345678901234567890")))
        return JSONText(.object(members))
    }

    static func event(_ id: Int64, _ random: inout SeededRandom) -> Event {
        let category = [EventCategory.audit, .threat, .decision].randomElement(using: &random)!
        let actor = Int.random(in: 0...2, using: &random)
        func port(_ random: inout SeededRandom) -> Int32? {
            [nil, 0, 443, 65_535, 70_000, -1].randomElement(using: &random)!
        }
        return Event(
            category: category, eventID: id,
            occurredUnix: Int64.random(in: -62_135_596_800...253_402_300_799, using: &random),
            occurredNanos: Int32.random(in: 0...999_999_999, using: &random) * (Bool.random(using: &random) ? 1 : 0),
            origin: "origin-\(id % 3)", action: UTF8Text(actions.randomElement(using: &random)!),
            tenant: maybe(&random, text), outcome: EventOutcome.allCases.randomElement(using: &random)!,
            severity: EventSeverity.allCases.randomElement(using: &random)!,
            actorUser: actor == 1 ? (text(&random) ?? "u") : nil,
            actorService: actor == 2 ? (text(&random) ?? "s") : nil,
            target: maybe(&random, text),
            sourceIP: maybe(&random) { UTF8Text(addresses.randomElement(using: &$0)!) },
            sourcePort: port(&random),
            destinationIP: maybe(&random) { UTF8Text(addresses.randomElement(using: &$0)!) },
            destinationPort: port(&random), userAgent: maybe(&random, text), message: maybe(&random, text),
            confidence: maybe(&random) { [0, 1, 29, 30, 69, 70, 100].randomElement(using: &$0)! },
            verdict: category == .decision ? maybe(&random) { EventVerdict.allCases.randomElement(using: &$0)! } : nil,
            attributes: attributes(&random))
    }
}
