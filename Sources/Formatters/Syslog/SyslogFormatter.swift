import SIEMCore

/// RFC 5424 syslog messages, one per line: for any syslog collector (rsyslog, syslog-ng, a
/// SIEM's syslog input), over files or the `syslog` sink.
///
/// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID param="value" …] MSG`. PRI is
/// facility × 8 + severity (§6.2.1); a header field without a value is the NILVALUE `-`; the
/// structured-data element's SD-ID is `name@PEN` (§6.3.2: a private enterprise number, 32473 is
/// the one RFC 5612 reserves for documentation) and PARAM-VALUEs escape `"`, `\` and `]`
/// (§6.3.3). MSG is the event as JSON, or a short text, after a UTF-8 BOM (§6.4).
public struct SyslogFormatter: EventFormatter {
    public static let id = "syslog"
    public static let summary = "RFC 5424 syslog lines with the event's fields as structured data"
    public static let schema: SchemaVersion = "oversight-syslog-1"
    public static let framings = [FramingKind.lines]
    public static let categories = EventCategory.allCases

    public enum Message: String, OptionChoice { case json, text, none }

    public struct Options: PluginOptions {
        public var facility = "audit"
        public var severity = "notice"
        public var hostname: String?
        public var appName = "oversight-registry"
        public var sdID = "beacon@32473"
        /// Unset: `event@` and the number of `sd_id`.
        public var eventSDID: String?
        public var message = Message.json

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "facility", \.facility, help: "0–23 or a name (kern, user, …, authpriv, …, audit, …, local0–local7)",
                check: {
                    SyslogCodes.facility($0) == nil
                        ? "'\($0)' is not 0–23 or a facility name"
                            + SyslogCodes.hint(for: $0, in: SyslogCodes.facilities)
                        : nil
                }),
            .init(
                "severity", \.severity,
                help:
                    "PRI severity of beacon events and of events of unknown severity: 0–7 or a name (emerg, …, notice, info, debug)",
                check: {
                    SyslogCodes.severity($0) == nil
                        ? "'\($0)' is not 0–7 or a severity name"
                            + SyslogCodes.hint(for: $0, in: SyslogCodes.severities)
                        : nil
                }),
            .init(
                "hostname", \.hostname, help: "HOSTNAME field (the registry host's FQDN); unset: the NILVALUE -",
                check: { hostname in
                    guard let hostname, !SyslogCodes.isPrintableASCII(hostname, maximum: 255) else { return nil }
                    return "must be 1–255 printable ASCII characters"
                }),
            .init(
                "app_name", \.appName, help: "APP-NAME field (1–48 printable ASCII characters)",
                check: {
                    SyslogCodes.isPrintableASCII($0, maximum: 48) ? nil : "must be 1–48 printable ASCII characters"
                }
            ),
            .init(
                "sd_id", \.sdID, help: "structured-data ID of beacon events, name@<your private enterprise number>",
                check: { sdID in
                    SyslogCodes.isEnterpriseSDID(sdID)
                        ? nil : "'\(sdID)' is not name@<private enterprise number>, e.g. beacon@32473"
                }),
            .init(
                "event_sd_id", \.eventSDID,
                help:
                    "structured-data ID of audit, threat and decision events; unset: event@ and the number of sd_id",
                check: { sdID in
                    guard let sdID else { return nil }
                    return SyslogCodes.isEnterpriseSDID(sdID)
                        ? nil : "'\(sdID)' is not name@<private enterprise number>, e.g. event@32473"
                }),
            .init(
                "message", \.message,
                help: "MSG: json (the event as one JSON object), text (a short sentence) or none"),
        ]

        public init() {}
    }

    /// `<PRI>1 `.
    let priVersion: [UInt8]
    /// ` HOSTNAME APP-NAME - `: between the timestamp and MSGID.
    let middle: [UInt8]
    let sdID: [UInt8]
    let message: Message
    /// `<PRI>1 ` of the other categories, by the scale's number: facility × 8 + the event's own
    /// severity (`unknown`: the `severity` option).
    let securityPRIVersion: [[UInt8]]
    let eventSDID: [UInt8]

    public init(options: Options, context: PluginContext) throws {
        let facility = SyslogCodes.facility(options.facility)!
        let pri = facility * 8 + SyslogCodes.severity(options.severity)!
        priVersion = Array("<\(pri)>1 ".utf8)
        middle = Array(" \(options.hostname ?? "-") \(options.appName) - ".utf8)
        sdID = Array(options.sdID.utf8)
        message = options.message
        securityPRIVersion = EventSeverity.allCases.sorted { $0.rawValue < $1.rawValue }.map { severity in
            let code = Self.syslogSeverity(severity) ?? SyslogCodes.severity(options.severity)!
            return Array("<\(facility * 8 + code)>1 ".utf8)
        }
        let enterprise = options.sdID.split(separator: "@").last.map(String.init) ?? "32473"
        eventSDID = Array((options.eventSDID ?? "event@" + enterprise).utf8)
    }

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard event.category == .beacon else { return encodeSecurityEvent(event, into: &out) }
        out.appendRaw(priVersion)
        out.appendRawRFC3339(event.occurredUnix)  // the registry keeps whole seconds
        out.appendRaw(middle)
        // MSGID: the beacon kind, restricted to what the field may hold (1–32 printable ASCII).
        if let kind = event.beacon.kind {
            kind.withUTF8 { kind in
                out.appendText(UnsafeBufferPointer(rebasing: kind.prefix(32))) { (33...126).contains($0) ? nil : "_" }
            }
        }
        out.appendRaw(" [" as StaticString)
        out.appendRaw(sdID)
        param("id", decimal: event.eventID, &out)
        param("kind", event.beacon.kind, &out)
        if let known = BeaconAction.knownName(forKind: event.beacon.kind) {
            out.appendRaw(" action=\"" as StaticString)
            out.appendRaw(known)
            out.appendRaw("\"" as StaticString)
        } else {
            param("action", UTF8Text(event.actionName), &out)
        }
        param("token_id", event.beacon.tokenID, &out)
        param("file_id", event.beacon.fileID, &out)
        param("recipient_id", event.beacon.recipientID, &out)
        param("issuer_id", event.beacon.issuerID, &out)
        param("source_ip", event.sourceIP, &out)
        param("user_agent", event.userAgent, &out)
        param("qualified_timestamp", event.beacon.qualifiedTimestamp, &out)
        if let tlog = event.beacon.tlogIndex { param("tlog_index", decimal: tlog, &out) }
        out.appendRaw(" registry_id=\"" as StaticString)
        out.appendText(event.origin, escaping: Self.paramEscapes, with: Self.escapeParam)
        out.appendRaw("\" schema=\"oversight-syslog-1\"]" as StaticString)

        switch message {
        case .none:
            return
        case .json:
            out.appendRaw(" \u{FEFF}" as StaticString)  // SP, then the BOM: MSG is UTF-8 (§6.4)
            out.beginObject()
            out.field("action", actionOf: event)
            out.key("event_id")
            out.intString(event.eventID)
            out.key("occurred_at")
            out.rfc3339(event.occurredUnix)
            out.field("token_id", event.beacon.tokenID)
            out.field("source_ip", event.sourceIP)
            out.field("user_agent", event.userAgent)
            out.field("extra", event.attributes)
            out.endObject()
        case .text:
            out.appendRaw(" \u{FEFF}" as StaticString)
            var text = event.actionName + " event " + String(event.eventID)
            if let token = event.beacon.tokenID { text += " token " + token.string }
            if let source = event.sourceIP { text += " from " + source.string }
            // One message per line: control characters (a line break in a token) become spaces.
            out.appendText(text) { $0 < 0x20 || $0 == 0x7F ? " " : nil }
        }
    }

    /// The bytes `escapeParam` replaces.
    static let paramEscapes = EscapedBytes(
        UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"), 0x0A, 0x0D)

    /// PARAM-VALUE escaping (§6.3.3): `"`, `\` and `]` get a backslash. A line break would end
    /// the message for line-based transports and files; RFC 5424 allows any UTF-8 here, so it is
    /// kept as the two characters `\n` / `\r`.
    @inline(__always)
    static func escapeParam(_ byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "]"): return "\\]"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        default: return nil
        }
    }

    /// ` name="value"`, left out when the value is nil or empty.
    func param(_ name: StaticString, _ value: UTF8Text?, _ out: inout RecordWriter) {
        guard let value, !value.isEmpty else { return }
        out.appendRaw(" " as StaticString)
        out.appendRaw(name)
        out.appendRaw("=\"" as StaticString)
        out.appendText(value, escaping: Self.paramEscapes, with: Self.escapeParam)
        out.appendRaw("\"" as StaticString)
    }

    func param(_ name: StaticString, decimal value: Int64, _ out: inout RecordWriter) {
        out.appendRaw(" " as StaticString)
        out.appendRaw(name)
        out.appendRaw("=\"" as StaticString)
        out.appendRawDecimal(value)
        out.appendRaw("\"" as StaticString)
    }
}

/// Facility and severity names and the field rules of RFC 5424.
enum SyslogCodes {
    static let facilities = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6",
        "local7",
    ]
    static let severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

    static func facility(_ text: String) -> Int? {
        if let number = Int(text) { return (0...23).contains(number) ? number : nil }
        return facilities.firstIndex(of: text.lowercased())
    }

    static func severity(_ text: String) -> Int? {
        if let number = Int(text) { return (0...7).contains(number) ? number : nil }
        return severities.firstIndex(of: text.lowercased())
    }

    /// "Did you mean" for a misspelt name; nothing for a number out of range (the message says the range).
    static func hint(for text: String, in names: [String]) -> String {
        Int(text) == nil ? Suggestion.hint(for: text, in: names) : ""
    }

    static func isPrintableASCII(_ text: String, maximum: Int) -> Bool {
        !text.isEmpty && text.utf8.count <= maximum && text.utf8.allSatisfy { (33...126).contains($0) }
    }

    /// `name@<private enterprise number>`: RFC 5424 §6.3.2, the part after the `@` "MUST be a
    /// private enterprise number" (dots allowed).
    static func isEnterpriseSDID(_ sdID: String) -> Bool {
        let parts = sdID.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && isSDName(sdID) && !parts[1].isEmpty
            && parts[1].allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    }

    /// SD-NAME: 1–32 printable ASCII except `=`, space, `]` and `"` (the `@` part included).
    static func isSDName(_ text: String) -> Bool {
        isPrintableASCII(text, maximum: 32) && !text.utf8.contains { $0 == 0x3D || $0 == 0x5D || $0 == 0x22 }
    }
}
