import SIEMCore

/// OpenTelemetry log records in the OTLP/HTTP JSON encoding, for an OpenTelemetry Collector or
/// any OTLP logs endpoint; a batch travels as one `ExportLogsServiceRequest` (framing
/// `otlpLogs`: `resourceLogs` → `scopeLogs` → `logRecords`).
///
/// Per the OTLP JSON mapping (opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): field
/// names in lowerCamelCase, 64-bit integers as decimal strings, enums as numbers, attribute
/// values as typed `AnyValue`s. Attributes follow the semantic conventions where one exists
/// (`client.address`, `user_agent.original`); the beacon's own fields are under `oversight.*`.
/// Audit, threat and decision events have a record of their own (`encodeSecurityEvent`, in
/// OTLPSecurityLogRecord.swift), chosen by one test of the category so the beacon's stays as is.
public struct OTLPLogFormatter: EventFormatter {
    public static let id = "otlp"
    public static let summary = "OpenTelemetry OTLP/HTTP JSON log records (one ExportLogsServiceRequest per batch)"
    public static let schema: SchemaVersion = "oversight-otlp-1"
    public static let framings = [FramingKind.otlpLogs]
    public static let categories = EventCategory.allCases

    public typealias Options = NoOptions

    public init(options: NoOptions, context: PluginContext) throws {}

    /// `timeUnixNano` is an unsigned 64-bit count of nanoseconds: it can hold 1970 to 2554.
    static let representableSeconds: ClosedRange<Int64> = 0...(Int64(bitPattern: UInt64.max / 1_000_000_000))

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard event.category == .beacon else { return encodeSecurityEvent(event, into: &out) }
        out.beginObject()
        // A time the field cannot hold is left out, and so is 1970-01-01T00:00:00Z, because 0
        // means "unknown" there; the exact time is always in `oversight.occurred_at`.
        if event.occurredUnix > 0 && Self.representableSeconds.contains(event.occurredUnix) {
            out.key("timeUnixNano")
            out.beginString()
            out.stringContents(decimal: event.occurredUnix)
            out.stringContents("000000000")
            out.endString()
        }
        out.key("severityNumber")
        out.int(9)  // SEVERITY_NUMBER_INFO
        out.field("severityText", constant: "INFO")
        out.field("eventName", actionOf: event)
        out.key("body")
        out.beginObject()
        out.field("stringValue", actionOf: event)
        out.endObject()
        out.key("attributes")
        out.beginArray()
        var attributes = OTLPAttributes(out: out)
        attributes.decimalString("oversight.event_id", event.eventID)
        attributes.time("oversight.occurred_at", event.occurredUnix)
        attributes.text("oversight.kind", event.beacon.kind)
        attributes.text("oversight.token_id", event.beacon.tokenID)
        attributes.text("oversight.file_id", event.beacon.fileID)
        attributes.text("oversight.recipient_id", event.beacon.recipientID)
        attributes.text("oversight.issuer_id", event.beacon.issuerID)
        attributes.text("client.address", event.sourceIP)
        attributes.text("user_agent.original", event.userAgent)
        attributes.text("oversight.qualified_timestamp", event.beacon.qualifiedTimestamp)
        if let tlog = event.beacon.tlogIndex { attributes.int("oversight.tlog_index", tlog) }
        attributes.constant("oversight.schema", "oversight-otlp-1")
        if let extra = event.attributes {
            attributes.entry("oversight.extra") { OTLPAnyValue.write(canonical: extra.text, into: &$0) }
        }
        out = attributes.out
        out.endArray()
        out.endObject()
    }
}

/// `{"key":…,"value":<AnyValue>}` entries.
struct OTLPAttributes {
    var out: RecordWriter

    mutating func constant(_ key: StaticString, _ value: StaticString) {
        entry(key) {
            $0.key("stringValue" as StaticString)
            $0.string(value)
        }
    }

    mutating func decimalString(_ key: StaticString, _ value: Int64) {
        entry(key) {
            $0.key("stringValue" as StaticString)
            $0.intString(value)
        }
    }

    mutating func time(_ key: StaticString, _ unixSeconds: Int64) {
        entry(key) {
            $0.key("stringValue" as StaticString)
            $0.rfc3339(unixSeconds)
        }
    }

    /// Borrowed rather than bound with `guard let`, which would retain and release the text's
    /// arena for every attribute.
    mutating func text(_ key: StaticString, _ value: borrowing UTF8Text?) {
        switch value {
        case .some(let text) where text.count > 0:
            entry(key) {
                $0.key("stringValue" as StaticString)
                $0.string(text)
            }
        default:
            return
        }
    }

    mutating func int(_ key: StaticString, _ value: Int64) {
        entry(key) {
            $0.key("intValue" as StaticString)
            $0.intString(value)
        }
    }

    /// Inlined with its closure: called a dozen times per record, the call and closure context
    /// cost more than the few bytes it writes.
    @inline(__always)
    mutating func entry(_ key: StaticString, _ value: (inout RecordWriter) -> Void) {
        out.beginObject()
        out.key("key")
        out.string(key)
        out.key("value")
        out.beginObject()
        value(&out)
        out.endObject()
        out.endObject()
    }
}
