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
    public static let framing = Framing.lines

    public struct Options: PluginOptions {
        public var deviceVendor: String
        public var deviceProduct: String
        public var deviceVersion: String
        public var severity: String

        public enum CodingKeys: String, OptionKey {
            case deviceVendor = "device_vendor"
            case deviceProduct = "device_product"
            case deviceVersion = "device_version"
            case severity

            public var help: String {
                switch self {
                case .deviceVendor: return "CEF header Device Vendor"
                case .deviceProduct: return "CEF header Device Product"
                case .deviceVersion: return "CEF header Device Version"
                case .severity: return "CEF Severity: 0–10, or Unknown, Low, Medium, High, Very-High"
                }
            }
        }

        public init() {
            deviceVendor = "Oversight"
            deviceProduct = "Beacon Registry"
            deviceVersion = "1"
            severity = "5"
        }

        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&deviceVendor, .deviceVendor)
            try c.update(&deviceProduct, .deviceProduct)
            try c.update(&deviceVersion, .deviceVersion)
            try c.update(&severity, .severity)
        }

        public func validate() throws {
            let words = ["Unknown", "Low", "Medium", "High", "Very-High"]
            guard words.contains(severity) || (Int(severity).map { (0...10).contains($0) } ?? false) else {
                throw SIEMError.invalidOption(
                    key: "severity", message: "'\(severity)' is not 0–10 or one of \(words.joined(separator: ", "))")
            }
            for (key, value) in [
                ("device_vendor", deviceVendor), ("device_product", deviceProduct), ("device_version", deviceVersion),
            ] where value.isEmpty {
                throw SIEMError.invalidOption(key: key, message: "must not be empty")
            }
        }
    }

    /// `CEF:0|vendor|product|version|`, escaped once.
    let headerStart: [UInt8]
    /// `|severity|`.
    let severityField: [UInt8]

    public init(options: Options, context: PluginContext) throws {
        var start = Array("CEF:0|".utf8)
        for field in [options.deviceVendor, options.deviceProduct, options.deviceVersion] {
            start += Self.headerEscaped(Array(field.utf8))
            start.append(UInt8(ascii: "|"))
        }
        headerStart = start
        severityField = Array("|\(options.severity)|".utf8)
    }

    public func encode(_ event: Event, into out: inout JSONWriter) throws {
        out.appendRaw(headerStart)
        event.kind.withUTF8 { out.appendRaw(Self.headerEscaped(Array($0))) }  // Signature ID
        out.appendRaw(CollectionOfOne(UInt8(ascii: "|")))
        out.appendRaw(Self.headerEscaped(Array(event.action.utf8)))  // Name
        out.appendRaw(severityField)

        var extensions = CEFExtensions(out: out)
        extensions.add("rt", decimal: event.occurredUnix * 1_000)  // milliseconds since the epoch
        extensions.add("externalId", decimal: event.eventID)
        extensions.add("cat", "beacon")
        extensions.add("act", event.action)
        if let address = event.sourceIP {
            if IPAddressSyntax.isIPAddress(address) {
                extensions.add("src", address)
            } else {
                extensions.add("cs5Label", "sourceAddress")
                extensions.add("cs5", address)
            }
        }
        extensions.add("requestClientApplication", event.userAgent)
        extensions.add("suser", event.recipientID)
        extensions.add("duser", event.issuerID)
        extensions.add("fileId", event.fileID)
        if let token = event.tokenID {
            extensions.add("cs1Label", "tokenId")
            extensions.add("cs1", token)
        }
        if let qualified = event.qualifiedTimestamp {
            extensions.add("cs2Label", "qualifiedTimestamp")
            extensions.add("cs2", qualified)
        }
        extensions.add("cs3Label", "registryId")
        extensions.add("cs3", event.registryID)
        if let extra = event.extra {
            extensions.add("cs4Label", "extra")
            extensions.add("cs4", extra.text)
        }
        extensions.add("cs6Label", "schema")
        extensions.add("cs6", Self.schema.name)
        if let tlog = event.tlogIndex {
            extensions.add("cn1Label", "tlogIndex")
            extensions.add("cn1", decimal: tlog)
        }
        out = extensions.out
    }

    /// Header fields: `\` → `\\`, `|` → `\|`; a line break, which a header cannot hold, → space.
    static func headerEscaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "|"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x0A, 0x0D: out.append(UInt8(ascii: " "))
            default: out.append(byte)
            }
        }
        return out
    }
}

/// Writes `key=value` pairs separated by single spaces, values escaped for CEF extensions.
struct CEFExtensions {
    var out: JSONWriter
    private var first = true

    init(out: JSONWriter) { self.out = out }

    private mutating func key(_ name: StaticString) {
        if !first { out.appendRaw(CollectionOfOne(UInt8(ascii: " "))) }
        first = false
        out.appendRaw(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.appendRaw(CollectionOfOne(UInt8(ascii: "=")))
    }

    mutating func add(_ name: StaticString, _ value: StaticString) {
        key(name)
        out.appendRaw(UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
    }

    mutating func add(_ name: StaticString, decimal value: Int64) {
        key(name)
        out.appendRaw(Array(String(value).utf8))
    }

    mutating func add(_ name: StaticString, _ value: String) {
        key(name)
        out.appendRaw(Self.escaped(Array(value.utf8)))
    }

    /// Omitted when nil or empty, as every formatter omits empty optionals.
    mutating func add(_ name: StaticString, _ value: UTF8Text?) {
        guard let value, !value.isEmpty else { return }
        key(name)
        value.withUTF8 { out.appendRaw(Self.escaped(Array($0))) }
    }

    /// Extension values: `\` → `\\`, `=` → `\=`, line feed → `\n`, carriage return → `\r`.
    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "="):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            default: out.append(byte)
            }
        }
        return out
    }
}
