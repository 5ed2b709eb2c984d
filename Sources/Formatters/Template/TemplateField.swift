import SIEMCore

/// One value of a `template` formatter's output tree, as written in YAML:
///
/// - `token_id`, `actor_user` — an event field (see `TemplateField.Source`), written in its
///   natural JSON type;
/// - `{const: "text"}` — a constant string;
/// - `{rfc3339: time}`, `{epoch: time}`, `{epoch_ms: time}` — the event time (`occurred` is
///   the same field by its first name);
/// - `{lower: kind}` — a text field lowercased; `{json: extra}` — a field as a JSON string;
/// - a list of single-key mappings — a nested object, keys in the order written.
public indirect enum TemplateValue: Sendable, Equatable, Decodable {
    case field(TemplateField.Source)
    case constant(String)
    case function(TemplateField.Function, TemplateField.Source)
    case object([TemplateField])

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let name = try? single.decode(String.self) {
            self = .field(try TemplateField.Source.named(name, decoder: decoder))
            return
        }
        // A nested object: every bad member is reported, at its own line.
        if var members = try? decoder.unkeyedContainer() {
            self = .object(try DecodingErrors.decodeEach(TemplateField.self, from: &members))
            return
        }
        guard let mapping = try? single.decode([String: String].self), mapping.count == 1,
            let (key, argument) = mapping.first
        else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "expected a field name, a one-key mapping ({const: …}, {rfc3339: occurred}, …) or a list of fields"
                ))
        }
        if key == "const" {
            self = .constant(argument)
            return
        }
        guard let function = TemplateField.Function(rawValue: key) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "unknown function '\(key)'"
                        + Suggestion.hint(for: key, in: ["const"] + TemplateField.Function.allCases.map(\.rawValue))))
        }
        let source = try TemplateField.Source.named(argument, decoder: decoder)
        guard function.accepts(source) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\(key) does not apply to '\(argument)'"))
        }
        self = .function(function, source)
    }
}

/// `- key: value`: one member of a template object.
public struct TemplateField: Sendable, Equatable, Decodable {
    public var key: String
    public var value: TemplateValue

    public init(from decoder: any Decoder) throws {
        let mapping = try decoder.singleValueContainer().decode([String: TemplateValue].self)
        guard mapping.count == 1, let (key, value) = mapping.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "each list item is one `key: value` (a list keeps the keys in order)"))
        }
        self.key = key
        self.value = value
    }

    /// Event fields a template can name: every canonical field by its canonical name (as
    /// docs/SOURCES.md and the mappers' `fields:` spell them) and the beacon's own fields. The
    /// beacon template's first names stay: `event_id` is `id`, `occurred` is `time`,
    /// `registry_id` is `origin`, `extra` is `attributes`.
    public enum Source: String, Sendable, CaseIterable {
        case id
        case eventID = "event_id"
        case time, occurred
        case origin
        case registryID = "registry_id"
        case category, action, outcome, severity
        /// The severity's number, OCSF's `severity_id` (0 unknown … 5 critical).
        case severityID = "severity_id"
        case tenant
        case actorUser = "actor_user"
        case actorService = "actor_service"
        case target
        case sourceIP = "source_ip"
        case sourcePort = "source_port"
        case destinationIP = "destination_ip"
        case destinationPort = "destination_port"
        case userAgent = "user_agent"
        case message, confidence, verdict
        case attributes, extra
        case kind
        case tokenID = "token_id"
        case fileID = "file_id"
        case recipientID = "recipient_id"
        case issuerID = "issuer_id"
        case qualifiedTimestamp = "qualified_timestamp"
        case tlogIndex = "tlog_index"

        static func named(_ name: String, decoder: any Decoder) throws -> Source {
            guard let source = Source(rawValue: name) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription:
                            "unknown event field '\(name)'" + Suggestion.hint(for: name, in: allCases.map(\.rawValue))
                    )
                )
            }
            return source
        }

        /// The time, under either name.
        var isTime: Bool { self == .time || self == .occurred }

        /// Fields whose natural value is a number or an object, which `lower` does not take.
        var isText: Bool {
            ![
                .time, .occurred, .severityID, .sourcePort, .destinationPort, .confidence, .attributes, .extra,
                .tlogIndex,
            ]
            .contains(self)
        }
    }

    public enum Function: String, Sendable, CaseIterable {
        case rfc3339, epoch
        case epochMS = "epoch_ms"
        case lower, json

        func accepts(_ source: Source) -> Bool {
            switch self {
            case .rfc3339, .epoch, .epochMS: return source.isTime
            case .lower: return source.isText
            case .json: return true
            }
        }
    }
}

extension TemplateField: OptionValue {
    public static var optionKind: OptionKind {
        .structure(
            "`key: value` (an event field, {const: text}, {function: field}, or a nested list)", schema: jsonSchema)
    }

    /// One `- key: value` item; a value is a field name, a one-key function mapping, or a list of
    /// items (a nested object).
    static let jsonSchema: OptionSchema = {
        let sources = Source.allCases.map(\.rawValue)
        func names(_ list: [String]) -> JSONValue { .object([("enum", .array(list.map(JSONValue.string)))]) }
        let lowerable = Source.allCases.filter { Function.lower.accepts($0) }.map(\.rawValue)
        let function = JSONValue.object([
            ("type", .string("object")), ("minProperties", .number("1")), ("maxProperties", .number("1")),
            (
                "properties",
                .object([
                    ("const", .object([("type", .array([.string("string"), .string("number"), .string("boolean")]))])),
                    ("rfc3339", names(["occurred"])), ("epoch", names(["occurred"])), ("epoch_ms", names(["occurred"])),
                    ("lower", names(lowerable)), ("json", names(sources)),
                ])
            ),
            ("additionalProperties", .bool(false)),
        ])
        let item = JSONValue.object([
            ("type", .string("object")), ("minProperties", .number("1")), ("maxProperties", .number("1")),
            ("additionalProperties", .object([("$ref", .string("#/$defs/template_value"))])),
        ])
        let value = JSONValue.object([
            (
                "anyOf",
                .array([
                    names(sources), function,
                    .object([
                        ("type", .string("array")), ("items", .object([("$ref", .string("#/$defs/template_field"))])),
                    ]),
                ])
            )
        ])
        return OptionSchema(
            schema: .object([("$ref", .string("#/$defs/template_field"))]),
            definitions: [.init(name: "template_field", schema: item), .init(name: "template_value", schema: value)])
    }()
    public var optionText: String? { key }
}
