import SIEMCore

/// ArcSight Common Event Format (CEF) 0: one text line per event, the format of ArcSight, QRadar,
/// and of every SIEM's syslog/CEF connector (Sentinel's AMA CEF connector among them).
///
/// `CEF:0|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`
/// (OpenText "Implementing ArcSight CEF", revision 25). Header fields escape `\` and `|`;
/// extension values escape `\`, `=` and line breaks (`\n`, `\r`). Standard extension keys are
/// used where one fits; the beacon's own fields travel in labelled custom strings (`csN`,
/// `csNLabel`) and a custom number (`cn1`). Mapping in docs/SIEM.md.
public struct CEFFormatter: EventFormatter {
    public static let id = "cef"
    public static let summary =
        "ArcSight Common Event Format (CEF:0) lines, for ArcSight, QRadar and syslog/CEF connectors"
    public static let schema: SchemaVersion = "oversight-cef-1"
    public static let framings = [FramingKind.lines]

    public struct Options: PluginOptions {
        public var deviceVendor = "Oversight"
        public var deviceProduct = "Beacon Registry"
        public var deviceVersion = "1"
        public var severity = "5"

        static let severityWords = ["Unknown", "Low", "Medium", "High", "Very-High"]

        public static let specs: [OptionSpec<Options>] = [
            .init("device_vendor", \.deviceVendor, help: "CEF header Device Vendor", check: OptionRules.nonEmpty),
            .init("device_product", \.deviceProduct, help: "CEF header Device Product", check: OptionRules.nonEmpty),
            .init("device_version", \.deviceVersion, help: "CEF header Device Version", check: OptionRules.nonEmpty),
            .init(
                "severity", \.severity, help: "CEF Severity: 0–10, or Unknown, Low, Medium, High, Very-High",
                check: { severity in
                    guard severityWords.contains(severity) || (Int(severity).map { (0...10).contains($0) } ?? false)
                    else { return "'\(severity)' is not 0–10 or one of \(severityWords.joined(separator: ", "))" }
                    return nil
                }),
        ]

        public init() {}
    }

    /// `CEF:0|vendor|product|version|`, escaped once.
    let headerStart: [UInt8]
    /// `|severity|`.
    let severityField: [UInt8]

    public init(options: Options, context: PluginContext) throws {
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
        out.appendRaw(headerStart)
        // Signature ID
        out.appendText(event.beacon.kind, escaping: CEFExtensions.headerEscapes, with: CEFExtensions.escapeHeader)
        out.appendRaw("|" as StaticString)
        if let known = BeaconAction.knownName(forKind: event.beacon.kind) {  // Name
            out.appendRaw(known)
        } else {
            out.appendText(event.actionName, escaping: CEFExtensions.headerEscapes, with: CEFExtensions.escapeHeader)
        }
        out.appendRaw(severityField)

        var x = CEFExtensions()
        x.add("rt", decimal: event.occurredUnix &* 1_000, &out)  // milliseconds since the epoch
        x.add("externalId", decimal: event.eventID, &out)
        x.add("cat", "beacon" as StaticString, &out)
        if let known = BeaconAction.knownName(forKind: event.beacon.kind) {
            x.add("act", known, &out)
        } else {
            x.add("act", event.actionName, &out)
        }
        if let address = event.sourceIP {
            if IPAddressSyntax.isIPAddress(address) {
                x.add("src", address, &out)
            } else {
                x.add("cs5Label", "sourceAddress" as StaticString, &out)
                x.add("cs5", address, &out)
            }
        }
        x.add("requestClientApplication", event.userAgent, &out)
        x.add("suser", event.beacon.recipientID, &out)
        x.add("duser", event.beacon.issuerID, &out)
        x.add("fileId", event.beacon.fileID, &out)
        if let token = event.beacon.tokenID {
            x.add("cs1Label", "tokenId" as StaticString, &out)
            x.add("cs1", token, &out)
        }
        if let qualified = event.beacon.qualifiedTimestamp {
            x.add("cs2Label", "qualifiedTimestamp" as StaticString, &out)
            x.add("cs2", qualified, &out)
        }
        x.add("cs3Label", "registryId" as StaticString, &out)
        x.add("cs3", event.origin, &out)
        if let extra = event.attributes {
            x.add("cs4Label", "extra" as StaticString, &out)
            x.add("cs4", extra.text, &out)
        }
        x.add("cs6Label", "schema" as StaticString, &out)
        x.add("cs6", "oversight-cef-1" as StaticString, &out)
        if let tlog = event.beacon.tlogIndex {
            x.add("cn1Label", "tlogIndex" as StaticString, &out)
            x.add("cn1", decimal: tlog, &out)
        }
    }
}
