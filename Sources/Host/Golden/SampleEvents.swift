import SIEMCore

/// A fixed set of events that exercise a template the way real rows do (every kind, empty
/// fields, escaping, unicode, nested `extra`, an address that is not one, epoch 0): what
/// `siem-export golden check` renders and compares.
enum SampleEvents {
    static let all: [Event] = [
        Event(
            eventID: 1, kind: "dns", occurredUnix: 1_735_000_000, registryID: "sample-registry", tokenID: "tok_abc",
            fileID: "file_xyz", recipientID: "alice@example.org", issuerID: "acme.legal", sourceIP: "198.51.100.42",
            userAgent: "Mozilla/5.0", qualifiedTimestamp: "2024-12-24T01:06:40Z", tlogIndex: 7,
            extra: JSONText(.object([("qname", .string("tok_abc.t.example.com")), ("qtype", .string("A"))]))),
        Event(
            eventID: 2, kind: "http_img", occurredUnix: 1_735_000_060, registryID: "sample-registry",
            tokenID: "tok_def", sourceIP: "2001:db8::1f", userAgent: UTF8Text(#"quote " backslash \ tab"# + "\t end")),
        Event(eventID: 3, kind: "ocsp", occurredUnix: 0, registryID: "sample-registry"),
        Event(
            eventID: 4, kind: "license", occurredUnix: 1_709_164_800, registryID: "sample-registry",
            recipientID: "李雷", sourceIP: "unknown, 10.0.0.1",
            extra: JSONText(.object([("seat", .number("3")), ("checks", .object([("online", .bool(true))]))]))),
        Event(eventID: 5, kind: "webhook", occurredUnix: -86_400, registryID: "sample-registry", tokenID: "tok_ghi"),
    ]
}
