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
/// `expect` is compared as JSON values, key by key (key order is the golden file's concern); an
/// input field left out is absent from the event (`event_id` defaults to 1, `kind` to `dns`,
/// `occurred` to 0, `registry_id` to `sample-registry`).
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

    /// The event the input fields describe.
    static func event(_ fields: [(key: String, value: JSONValue)]) throws -> Event {
        var text: [TemplateField.Source: UTF8Text] = [:]
        var (eventID, occurred, tlogIndex): (Int64, Int64, Int64?) = (1, 0, nil)
        var (kind, registryID): (UTF8Text, String) = ("dns", "sample-registry")
        var extra: JSONText?
        let names = TemplateField.Source.allCases.filter { $0 != .action }.map(\.rawValue)
        for (key, value) in fields {
            guard let source = TemplateField.Source(rawValue: key), source != .action else {
                throw Problem(
                    message: key == "action"
                        ? "`action` is derived from `kind`; set kind instead"
                        : "unknown event field '\(key)'" + Suggestion.hint(for: key, in: names))
            }
            func integer() throws -> Int64 {
                guard case .number(let digits) = value, let number = Int64(digits) else {
                    throw Problem(message: "\(key) must be a whole number")
                }
                return number
            }
            switch source {
            case .eventID: eventID = try integer()
            case .tlogIndex: tlogIndex = try integer()
            case .occurred:
                if case .string(let stamp) = value, let parsed = RFC3339.parse(stamp) {
                    occurred = parsed.seconds
                } else {
                    guard case .number(let digits) = value, let seconds = Int64(digits) else {
                        throw Problem(message: "occurred must be Unix seconds or an RFC 3339 time")
                    }
                    occurred = seconds
                }
            case .extra: extra = JSONText(value)
            default:
                let string: String
                switch value {
                case .string(let s): string = s
                case .number(let n): string = n
                case .bool(let b): string = String(b)
                default: throw Problem(message: "\(key) must be text")
                }
                if source == .kind {
                    kind = UTF8Text(string)
                } else if source == .registryID {
                    registryID = string
                } else {
                    text[source] = UTF8Text(string)
                }
            }
        }
        return Event(
            eventID: eventID, kind: kind, occurredUnix: occurred, registryID: registryID, tokenID: text[.tokenID],
            fileID: text[.fileID], recipientID: text[.recipientID], issuerID: text[.issuerID],
            sourceIP: text[.sourceIP], userAgent: text[.userAgent], qualifiedTimestamp: text[.qualifiedTimestamp],
            tlogIndex: tlogIndex, extra: extra)
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
                                            TemplateField.Source.allCases.filter { $0 != .action }.map {
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
