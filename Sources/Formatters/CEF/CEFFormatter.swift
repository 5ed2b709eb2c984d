import SIEMCore

/// ArcSight Common Event Format (CEF) 0: one text line per event, the format of ArcSight, QRadar,
/// and of every SIEM's syslog/CEF connector (Sentinel's AMA CEF connector among them).
///
/// `CEF:0|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`
/// (OpenText "Implementing ArcSight CEF", revision 25; "CEF Implementation Standard" v27).
/// Header fields escape `\` and `|`; extension values escape `\`, `=` and line breaks (`\n`,
/// `\r`). Standard extension keys are used where one fits; the beacon's own fields travel in
/// labelled custom strings (`csN`, `csNLabel`) and a custom number (`cn1`); audit, threat and
/// decision events in `CEFSecurityEvent.swift`. Mapping in docs/SIEM.md.
///
/// Schema `oversight-cef-2` follows the extension dictionary's types: `src` and `dst` hold IPv4
/// addresses only, an IPv6 address goes to `c6a2`/`c6a3`, and every string is kept within its
/// key's length. A config pinning `oversight-cef-1` gets the first version's lines, byte for
/// byte (an IPv6 source in `src`), for beacon events only.
public struct CEFFormatter: EventFormatter {
    public static let id = "cef"
    public static let summary =
        "ArcSight Common Event Format (CEF:0) lines, for ArcSight, QRadar and syslog/CEF connectors"
    public static let schema: SchemaVersion = "oversight-cef-2"
    /// `oversight-cef-1`, pinned, writes the first version's bytes: an IPv6 source in `src`.
    public static let schemas: [SchemaVersion] = [schema, "oversight-cef-1"]
    public static let framings = [FramingKind.lines]
    public static let categories = EventCategory.allCases

    /// `oversight-cef-1` predates the other categories: beacon events only.
    public static func categories(writing schema: SchemaVersion) -> [EventCategory] {
        schema.name == "oversight-cef-1" ? [.beacon] : categories
    }

    public struct Options: PluginOptions {
        public var deviceVendor = "Oversight"
        public var deviceProduct = "Beacon Registry"
        public var deviceVersion = "1"
        public var severity = "5"

        static let severityWords = ["Unknown", "Low", "Medium", "High", "Very-High"]

        public static let specs: [OptionSpec<Options>] = [
            .init("device_vendor", \.deviceVendor, help: "CEF header Device Vendor", check: headerField(63)),
            .init("device_product", \.deviceProduct, help: "CEF header Device Product", check: headerField(63)),
            .init("device_version", \.deviceVersion, help: "CEF header Device Version", check: headerField(31)),
            .init(
                "severity", \.severity,
                help: "CEF Severity of beacon events: 0–10, or Unknown, Low, Medium, High, Very-High",
                check: { severity in
                    guard severityWords.contains(severity) || (Int(severity).map { (0...10).contains($0) } ?? false)
                    else { return "'\(severity)' is not 0–10 or one of \(severityWords.joined(separator: ", "))" }
                    return nil
                }),
        ]

        public init() {}

        /// A header field: not empty, and within the standard's length (Device Vendor and Device
        /// Product 63, Device Version 31), counted in bytes of UTF-8.
        static func headerField(_ limit: Int) -> @Sendable (String) -> String? {
            { value in
                if value.isEmpty { return "must not be empty" }
                return value.utf8.count > limit ? "must be at most \(limit) bytes (a CEF header field)" : nil
            }
        }
    }

    /// The two line layouts: `oversight-cef-2` (current) writes an IPv6 address to the IPv6
    /// custom fields and keeps every value within its dictionary length; `oversight-cef-1`
    /// (pinned) is the first version's bytes, beacon events only.
    enum Version: Sendable { case v1, v2 }

    /// `CEF:0|vendor|product|version|`, escaped once.
    let headerStart: [UInt8]
    /// `|severity|`.
    let severityField: [UInt8]
    let version: Version

    public init(options: Options, context: PluginContext) throws {
        switch context.schema?.name {
        case nil, Self.schema.name: version = .v2
        case "oversight-cef-1": version = .v1
        case let other?:
            throw SIEMError.invalidOption(
                key: "schema", message: "the cef formatter writes oversight-cef-2 and oversight-cef-1, not \(other)")
        }
        var start = RecordWriter(capacity: 128)
        start.appendRaw("CEF:0|" as StaticString)
        for field in [options.deviceVendor, options.deviceProduct, options.deviceVersion] {
            start.appendText(field, escaping: CEFExtensions.headerEscapes, with: CEFExtensions.escapeHeader)
            start.appendRaw("|" as StaticString)
        }
        headerStart = start.bytes
        severityField = Array("|\(options.severity)|".utf8)
    }

    public func encode(_ event: borrowing Event, into out: inout RecordWriter) throws {
        guard event.category == .beacon else { return try encodeSecurityEvent(event, into: &out) }
        // oversight-cef-2 keeps each value within the dictionary's length; cef-1 wrote it whole.
        let limited = version == .v2
        out.appendRaw(headerStart)
        // Signature ID
        appendHeader(event.beacon.kind, limit: limited ? CEFLength.signatureID : .max, &out)
        out.appendRaw("|" as StaticString)
        if let known = BeaconAction.knownName(forKind: event.beacon.kind) {  // Name
            out.appendRaw(known)
        } else {
            appendHeader(UTF8Text(event.actionName), limit: limited ? CEFLength.name : .max, &out)
        }
        out.appendRaw(severityField)

        var x = CEFExtensions()
        x.add("rt", decimal: event.occurredUnix &* 1_000, &out)  // milliseconds since the epoch
        x.add("externalId", decimal: event.eventID, &out)
        x.add("cat", "beacon" as StaticString, &out)
        if let known = BeaconAction.knownName(forKind: event.beacon.kind) {
            x.add("act", known, &out)
        } else if limited {
            x.add("act", event.actionName, limit: CEFLength.deviceAction, &out)
        } else {
            x.add("act", event.actionName, &out)
        }
        if let address = event.sourceIP {
            if limited {
                addSource(address, &x, &out)
            } else if IPAddressSyntax.isIPAddress(address) {
                x.add("src", address, &out)
            } else {
                x.add("cs5Label", "sourceAddress" as StaticString, &out)
                x.add("cs5", address, &out)
            }
        }
        let string = limited ? CEFLength.string1023 : .max
        x.add("requestClientApplication", event.userAgent, limit: string, &out)
        x.add("suser", event.beacon.recipientID, limit: string, &out)
        x.add("duser", event.beacon.issuerID, limit: string, &out)
        x.add("fileId", event.beacon.fileID, limit: string, &out)
        let custom = limited ? CEFLength.customString : .max
        if let token = event.beacon.tokenID {
            x.add("cs1Label", "tokenId" as StaticString, &out)
            x.add("cs1", token, limit: custom, &out)
        }
        if let qualified = event.beacon.qualifiedTimestamp {
            x.add("cs2Label", "qualifiedTimestamp" as StaticString, &out)
            x.add("cs2", qualified, limit: custom, &out)
        }
        x.add("cs3Label", "registryId" as StaticString, &out)
        x.add("cs3", event.origin, limit: custom, &out)
        if let extra = event.attributes {
            addJSON(extra, label: "extra", sizeLabel: "extraBytes", limit: custom, &x, &out)
        }
        x.add("cs6Label", "schema" as StaticString, &out)
        x.add("cs6", limited ? "oversight-cef-2" as StaticString : "oversight-cef-1", &out)
        if let tlog = event.beacon.tlogIndex {
            x.add("cn1Label", "tlogIndex" as StaticString, &out)
            x.add("cn1", decimal: tlog, &out)
        }
    }

    /// A header field: `\` and `|` escaped, cut to `limit` bytes first.
    func appendHeader(_ text: UTF8Text?, limit: Int, _ out: inout RecordWriter) {
        guard let text else { return }
        text.withUTF8 { bytes in
            out.appendText(
                CEFExtensions.prefix(bytes, limit: limit), escaping: CEFExtensions.headerEscapes,
                with: CEFExtensions.escapeHeader)
        }
    }

    /// The source address where the standard puts it: `src` holds an IPv4 address only ("The
    /// format is an IPv4 address"); an IPv6 address goes to `c6a2`, labelled "Source IPv6
    /// Address" (CEF Implementation Standard, Special Mappings › IPv6 Format: "source address,
    /// then use c6a2"); other text to `cs5`, labelled `sourceAddress`.
    func addSource(_ address: UTF8Text, _ x: inout CEFExtensions, _ out: inout RecordWriter) {
        if IPAddressSyntax.isIPv4Address(address) {
            x.add("src", address, &out)
        } else if IPAddressSyntax.isIPAddress(address) {
            x.add("c6a2Label", "Source IPv6 Address" as StaticString, &out)
            x.add("c6a2", address, &out)
        } else {
            x.add("cs5Label", "sourceAddress" as StaticString, &out)
            x.add("cs5", address, limit: CEFLength.customString, &out)
        }
    }

    /// JSON in `cs4` when it fits the key's 4,000 bytes; cut JSON would not parse, so a longer
    /// document is left out and its size written instead (`cn3`, labelled `sizeLabel`).
    func addJSON(
        _ json: JSONText, label: StaticString, sizeLabel: StaticString, limit: Int, _ x: inout CEFExtensions,
        _ out: inout RecordWriter
    ) {
        if json.text.count <= limit {
            x.add("cs4Label", label, &out)
            x.add("cs4", json.text, &out)
        } else {
            x.add("cn3Label", sizeLabel, &out)
            x.add("cn3", decimal: Int64(json.text.count), &out)
        }
    }
}
