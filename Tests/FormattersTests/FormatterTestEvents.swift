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
