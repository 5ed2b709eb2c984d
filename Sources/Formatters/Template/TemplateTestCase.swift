import SIEMCore

/// One of a template's own test cases (`tests:`), like `vector test`: an event given by its
/// fields and the record the template must make of it, so a change to the template that alters
/// a field fails `siem-export golden check` at the line that says what was expected.
///
/// ```yaml
/// tests:
///   - name: a DNS callback from an IPv6 address
///     input: {event_id: 7, kind: dns, occurred: 2024-12-24T00:26:40Z, source_ip: "2001:db8::1"}
///     expect: {ts: "2024-12-24T00:26:40Z", what: beacon-dns-callback, id: "7", who: {from: "2001:db8::1"}}
/// ```
///
/// `expect` is compared as JSON values, key by key (key order is the golden file's concern). The
/// event is a beacon event unless `category:` names another (then `action`, `outcome`,
/// `severity`, … apply and the beacon's fields do not); an input field left out is absent (the id
/// defaults to 1, the time to 0, the origin to `sample-registry`, a beacon's `kind` to `dns`).
public struct TemplateTestCase: Sendable, Equatable, Decodable {
    public var name: String
    public var event: Event
    public var expect: JSONValue

    enum Key: String, CodingKey { case name, input, expect }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        name = try container.decode(String.self, forKey: .name)
        let input = try container.decodeIfPresent(DecodedJSON.self, forKey: .input)?.value ?? .object([])
        expect = try container.decode(DecodedJSON.self, forKey: .expect).value
        guard case .object(let fields) = input else {
            throw DecodingError.dataCorruptedError(
                forKey: .input, in: container, debugDescription: "expected a mapping of event fields to values")
        }
        do {
            event = try Self.event(fields)
        } catch let problem as Problem {
            throw DecodingError.dataCorruptedError(
                forKey: .input, in: container, debugDescription: "test '\(name)': \(problem.message)")
        }
    }

    struct Problem: Error { var message: String }

    /// Fields only a beacon event has, and fields only the other categories have.
    static let beaconOnly: Set<TemplateField.Source> = [
        .kind, .tokenID, .fileID, .recipientID, .issuerID, .qualifiedTimestamp, .tlogIndex,
    ]
    static let othersOnly: Set<TemplateField.Source> = [
        .action, .outcome, .severity, .actorUser, .actorService, .target, .sourcePort, .destinationIP,
        .destinationPort, .message, .confidence, .verdict,
    ]

    /// The event the input fields describe: a beacon event unless `category:` names another.
    static func event(_ fields: [(key: String, value: JSONValue)]) throws -> Event {
        var given: [TemplateField.Source: JSONValue] = [:]
        let names = TemplateField.Source.allCases.filter { $0 != .severityID }.map(\.rawValue)
        for (key, value) in fields {
            guard let source = TemplateField.Source(rawValue: key), source != .severityID else {
                throw Problem(
                    message: key == "severity_id"
                        ? "`severity_id` follows from `severity`; set severity instead"
                        : "unknown event field '\(key)'" + Suggestion.hint(for: key, in: names))
            }
            given[source] = value
        }
        func text(_ source: TemplateField.Source) throws -> UTF8Text? {
            switch given[source] {
            case nil, .null?: return nil
            case .string(let s)?: return UTF8Text(s)
            case .number(let n)?: return UTF8Text(n)
            case .bool(let b)?: return UTF8Text(String(b))
            default: throw Problem(message: "\(source.rawValue) must be text")
            }
        }
        func integer(_ source: TemplateField.Source) throws -> Int64? {
            guard let value = given[source] else { return nil }
            guard case .number(let digits) = value, let number = Int64(digits) else {
                throw Problem(message: "\(source.rawValue) must be a whole number")
            }
            return number
        }
        func choice<C: RawRepresentable & CaseIterable>(_ source: TemplateField.Source, _ type: C.Type) throws -> C?
        where C.RawValue == String {
            guard let name = try text(source)?.string else { return nil }
            guard let value = C(rawValue: name.lowercased()) else {
                throw Problem(
                    message: "\(source.rawValue) must be one of \(C.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        let category = try choice(.category, EventCategory.self) ?? .beacon
        let wrong = Set(given.keys).intersection(category == .beacon ? othersOnly : beaconOnly)
        if let field = wrong.map(\.rawValue).sorted().first {
            throw Problem(
                message: field == "action" && category == .beacon
                    ? "`action` is derived from `kind`; set kind instead"
                    : "category \(category.rawValue) has no `\(field)`")
        }
        var (seconds, nanos): (Int64, Int32) = (0, 0)
        if let stamp = given[.time] ?? given[.occurred] {
            if case .string(let text) = stamp, let parsed = RFC3339.parse(text) {
                (seconds, nanos) = parsed
            } else if case .number(let digits) = stamp, let unix = Int64(digits) {
                seconds = unix
            } else {
                throw Problem(message: "time must be Unix seconds or an RFC 3339 time")
            }
        }
        let id = try integer(.id) ?? integer(.eventID) ?? 1
        let origin = try (text(.origin) ?? text(.registryID))?.string ?? "sample-registry"
        let attributes = (given[.attributes] ?? given[.extra]).map(JSONText.init)
        guard category != .beacon else {
            return Event(
                eventID: id, kind: try text(.kind) ?? "dns", occurredUnix: seconds, registryID: origin,
                tokenID: try text(.tokenID), fileID: try text(.fileID), recipientID: try text(.recipientID),
                issuerID: try text(.issuerID), sourceIP: try text(.sourceIP), userAgent: try text(.userAgent),
                qualifiedTimestamp: try text(.qualifiedTimestamp), tlogIndex: try integer(.tlogIndex),
                extra: attributes, tenant: try text(.tenant))
        }
        var severity = EventSeverity.unknown
        if let name = try text(.severity)?.string {
            guard let named = EventSeverity(name: name) else {
                throw Problem(message: "severity must be unknown, informational, low, medium, high or critical")
            }
            severity = named
        }
        return Event(
            category: category, eventID: id, occurredUnix: seconds, occurredNanos: nanos, origin: origin,
            action: try text(.action) ?? "test", tenant: try text(.tenant),
            outcome: try choice(.outcome, EventOutcome.self) ?? .unknown, severity: severity,
            actorUser: try text(.actorUser), actorService: try text(.actorService), target: try text(.target),
            sourceIP: try text(.sourceIP), sourcePort: try integer(.sourcePort).map { Int32(truncatingIfNeeded: $0) },
            destinationIP: try text(.destinationIP),
            destinationPort: try integer(.destinationPort).map { Int32(truncatingIfNeeded: $0) },
            userAgent: try text(.userAgent), message: try text(.message),
            confidence: try integer(.confidence).map { Int16(truncatingIfNeeded: $0) },
            verdict: try choice(.verdict, EventVerdict.self), attributes: attributes)
    }
}

extension TemplateTestCase: OptionValue {
    public static var optionKind: OptionKind {
        .structure("{name, input: {event field: value}, expect: {the record}}", schema: jsonSchema)
    }
    public var optionText: String? { name }

    static let jsonSchema = OptionSchema(
        schema: .object([
            ("type", .string("object")),
            (
                "properties",
                .object([
                    ("name", .object([("type", .string("string"))])),
                    (
                        "input",
                        .object([
                            ("type", .string("object")),
                            (
                                "propertyNames",
                                .object([
                                    (
                                        "enum",
                                        .array(
                                            TemplateField.Source.allCases.filter { $0 != .severityID }.map {
                                                .string($0.rawValue)
                                            })
                                    )
                                ])
                            ),
                        ])
                    ),
                    ("expect", .object([("type", .string("object"))])),
                ])
            ),
            ("required", .array([.string("name"), .string("expect")])),
            ("additionalProperties", .bool(false)),
        ]))
}

/// Any YAML (or JSON) value as a `JSONValue`, keys in the order written: a quoted scalar stays
/// text, a plain one is read as null, a boolean or a number when it is one.
struct DecodedJSON: Decodable {
    var value: JSONValue

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            value = .object(
                try object.allKeys.map {
                    (key: $0.stringValue, value: try object.decode(DecodedJSON.self, forKey: $0).value)
                })
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(DecodedJSON.self).value) }
            value = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            value = .null
        } else if let bool = try? single.decode(Bool.self) {
            value = .bool(bool)
        } else if let integer = try? single.decode(Int64.self) {
            value = .number(String(integer))
        } else if let double = try? single.decode(Double.self), double.isFinite {
            value = .number("\(double)")
        } else {
            value = .string(try single.decode(String.self))
        }
    }
}
