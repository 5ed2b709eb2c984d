import SIEMCore

/// The config's own keys — everything outside plugin options — as the JSON Schema declares
/// them: the top level and a pipeline. This is the one place to change when `ConfigLoader` reads
/// a new key (a test compares `topLevel` with `PipelineConfigFile.topLevelKeys`, and each
/// pipeline key with what the loader accepts). Plugin nodes refer to `#/$defs/source`,
/// `#/$defs/mapper`, `#/$defs/formatter`, `#/$defs/sink` and `#/$defs/redact`, which
/// `ConfigSchema` generates from the plugin registry.
enum ConfigSchemaLayout {
    struct Key {
        var name: String
        var required = false
        var schema: JSONValue
    }

    /// `{path: FILE}` (checkpoint, dead_letter).
    static func pathMapping(_ description: String) -> JSONValue {
        .schema([
            ("type", .text("object")), ("description", .text(description)),
            ("properties", .schema([("path", .schema([("type", .text("string"))]))])),
            ("required", .texts(["path"])), ("additionalProperties", .bool(false)),
        ])
    }

    static let topLevel: [Key] = [
        Key(
            name: "version", required: true,
            schema: .schema([
                ("description", .text("config format version; this build reads version 1")),
                ("const", .integer(PipelineConfigFile.supportedVersion)),
            ])),
        Key(name: "source", schema: .ref("source")),
        Key(name: "mapper", schema: .ref("mapper")),
        Key(
            name: "sources",
            schema: .schema([
                (
                    "description",
                    .text(
                        "several sources, each with its mapper (and its own checkpoint); instead of source: and mapper:"
                    )
                ),
                ("type", .text("array")), ("minItems", .integer(1)), ("items", .ref("source_entry")),
            ])),
        Key(
            name: "checkpoint",
            schema: pathMapping("required by `run`: the state file of each pipeline's last delivered id")),
        Key(
            name: "dead_letter",
            schema: pathMapping("rows that cannot become events (default: <checkpoint>.dead-letter.jsonl)")),
        Key(
            name: "metrics",
            schema: .schema([
                ("type", .text("object")), ("description", .text("a Prometheus endpoint while `run` runs")),
                (
                    "properties",
                    .schema([
                        (
                            "listen",
                            .schema([
                                ("description", .text("PORT (on 127.0.0.1) or IPv4 HOST:PORT; 0 picks a free port")),
                                ("type", .texts(["string", "integer"])),
                            ])
                        )
                    ])
                ),
                ("required", .texts(["listen"])), ("additionalProperties", .bool(false)),
            ])),
        Key(
            name: "batch_size",
            schema: .schema([
                ("description", .text("rows read, formatted and delivered per batch")), ("type", .text("integer")),
                ("minimum", .integer(1)), ("maximum", .integer(100_000)),
            ])),
        Key(
            name: "pipelines", required: true,
            schema: .schema([("type", .text("array")), ("minItems", .integer(1)), ("items", .ref("pipeline"))])),
    ]

    /// What the keys above cannot say one by one: one source (`source:` and `mapper:`) or a list
    /// of them (`sources:`), not both.
    static let topLevelRules: [(String, JSONValue)] = [
        (
            "oneOf",
            .array([
                .schema([
                    ("required", .texts(["source", "mapper"])), ("not", .schema([("required", .texts(["sources"]))])),
                ]),
                .schema([
                    ("required", .texts(["sources"])),
                    (
                        "not",
                        .schema([
                            (
                                "anyOf",
                                .array([
                                    .schema([("required", .texts(["source"]))]),
                                    .schema([("required", .texts(["mapper"]))]),
                                ])
                            )
                        ])
                    ),
                ]),
            ])
        )
    ]

    /// One entry of `sources:`.
    static let sourceEntry: [Key] = [
        Key(
            name: "name", required: true,
            schema: .schema([
                ("description", .text("letters, digits, _ - . ; unique; what a pipeline's `source:` names")),
                ("type", .text("string")), ("pattern", .text("^[A-Za-z0-9_.-]+$")),
            ])),
        Key(name: "source", required: true, schema: .ref("source")),
        Key(name: "mapper", required: true, schema: .ref("mapper")),
        Key(name: "checkpoint", schema: pathMapping("this source's own state file (default: the config's)")),
        Key(name: "dead_letter", schema: pathMapping("this source's rows that cannot become events")),
    ]

    /// A pipeline's keys; `formatter` and `sink` are checked by `ConfigSchema.pipeline` (their
    /// schema depends on `preset:`).
    static let pipeline: [Key] = [
        Key(
            name: "name", required: true,
            schema: .schema([
                ("description", .text("letters, digits, _ - . ; unique; keys the checkpoint")),
                ("type", .text("string")),
                ("pattern", .text("^[A-Za-z0-9_.-]+$")),
            ])),
        Key(
            name: "source",
            schema: .schema([
                ("description", .text("the `sources:` entry it reads (may be left out with one source)")),
                ("type", .text("string")),
            ])),
        Key(
            name: "preset",
            schema: .schema([
                ("description", .text("a SIEM's formatter, sink type and batch limits in one word")),
                ("enum", .texts(PipelinePresets.all.keys.sorted())),
            ])),
        Key(name: "formatter", schema: .schema([("type", .text("object"))])),
        Key(name: "sink", schema: .schema([("type", .text("object"))])),
        Key(name: "redact", schema: .ref("redact")),
        Key(name: "dead_letter", schema: pathMapping("this pipeline's own file for events its receiver refuses")),
        Key(
            name: "on_refused",
            schema: .schema([
                ("description", .text("an event the receiver refuses for good: set aside, or stop before it")),
                ("enum", .texts(RefusalPolicy.allCases.map(\.rawValue))),
            ])),
    ]
}
