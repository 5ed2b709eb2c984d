import Foundation
import SIEMCore
import SIEMFormatters
import SIEMTestSupport
import Testing

/// Rows of audit, threat and decision events, checked against the table we publish
/// (config/sentinel-security-table.json), Log Analytics' column rules, and Microsoft's ASIM column
/// list (vendored in Tests/Fixtures/asim/), read back with Foundation's strict JSON parser.
@Suite struct SentinelSecurityRowTests {
    func row(_ event: Event) throws -> [String: Any] {
        var writer = RecordWriter()
        try SentinelFormatter(options: .init(), context: PluginContext(baseDirectory: "/")).encode(event, into: &writer)
        return try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
    }

    func cases() throws -> [(name: String, event: Event)] {
        try CanonicalFixtures.all().map { ($0.name, $0.event) }
            + SecurityTestEvents.all.map { ("event \($0.eventID)", $0) }
    }

    /// The published table: column name → Log Analytics type.
    func tableColumns() throws -> [(name: String, type: String)] {
        let url = RepositoryPaths.root.appendingPathComponent("config/sentinel-security-table.json")
        let table = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let schema = try #require((table["properties"] as? [String: Any])?["schema"] as? [String: Any])
        #expect(schema["name"] as? String == "OversightSecurity_CL")
        let columns = try #require(schema["columns"] as? [[String: String]])
        return try columns.map { (try #require($0["name"]), try #require($0["type"])) }
    }

    /// ASIM's rows: (column, schema) → (type, allowed values).
    func asimColumns() throws -> [String: [String: (type: String, values: [String])]] {
        let url = RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/asim/ASimTester-columns.csv")
        var columns: [String: [String: (type: String, values: [String])]] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            try #require(cells.count == 7, "\(line)")
            let values = cells[4] == "Enumerated" ? cells[5].split(separator: "|").map(String.init) : []
            columns[cells[0], default: [:]][cells[3]] = (cells[1], values)
        }
        return columns
    }

    @Test func conformsForEveryCategory() throws {
        #expect(SentinelFormatter.categories == EventCategory.allCases)
        #expect(FormatterConformance.problems(SentinelFormatter.self, events: try cases().map(\.event)) == [])
    }

    /// Log Analytics: a column name starts with a letter, has letters, digits and `_` only, at most
    /// 45 characters, and is none of the reserved names (learn.microsoft.com/azure/azure-monitor/
    /// logs/create-custom-table).
    @Test func publishedColumnsFollowLogAnalyticsRules() throws {
        let reserved: Set = [
            "id", "BilledSize", "IsBillable", "InvalidTimeGenerated", "TenantId", "Title", "Type", "UniqueId",
            "_ItemId", "_ResourceGroup", "_ResourceId", "_SubscriptionId", "_TimeReceived",
        ]
        let types: Set = ["string", "int", "long", "real", "boolean", "datetime", "dynamic", "guid"]
        let columns = try tableColumns()
        #expect(columns.first?.name == "TimeGenerated" && columns.first?.type == "datetime")
        #expect(Set(columns.map(\.name)).count == columns.count, "no column twice")
        for column in columns {
            let bytes = Array(column.name.utf8)
            let letter = { (b: UInt8) in (65...90).contains(b) || (97...122).contains(b) }
            #expect(letter(bytes[0]) && (2...45).contains(bytes.count), "\(column.name)")
            #expect(bytes.allSatisfy { letter($0) || (48...57).contains($0) || $0 == 95 }, "\(column.name)")
            #expect(!reserved.contains(column.name), "\(column.name)")
            #expect(types.contains(column.type), "\(column.name): \(column.type)")
        }
    }

    /// Every column of every row is one the table declares, with a value of its type.
    @Test func everyRowFitsThePublishedTable() throws {
        let columns = Dictionary(uniqueKeysWithValues: try tableColumns().map { ($0.name, $0.type) })
        let timeFormat = ISO8601DateFormatter()
        timeFormat.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let wholeSeconds = ISO8601DateFormatter()
        for (name, event) in try cases() {
            let row = try row(event)
            for (column, value) in row {
                let type = try #require(columns[column], "\(name): column \(column) is not in the table")
                switch type {
                case "string":
                    #expect(value is String, "\(name): \(column)")
                case "int":
                    let number = try #require(value as? Int, "\(name): \(column)")
                    #expect(Int(Int32.min)...Int(Int32.max) ~= number, "\(name): \(column)")
                case "datetime":
                    let text = try #require(value as? String, "\(name): \(column)")
                    // Foundation's parser takes at most milliseconds: compare whole seconds.
                    let seconds = text.replacing(/\.\d+Z$/, with: "Z")
                    #expect(wholeSeconds.date(from: seconds) != nil || timeFormat.date(from: text) != nil, "\(text)")
                    #expect(text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z/) != nil, "\(text)")
                case "dynamic":
                    #expect(value is [String: Any], "\(name): \(column)")
                default:
                    Issue.record("\(name): \(column) has type \(type), which no row should use")
                }
            }
            #expect(row["TimeGenerated"] != nil && row["EventOriginalUid"] as? String == String(event.eventID))
        }
    }

    /// Each column named after ASIM has ASIM's type, and ASIM's values where it enumerates them:
    /// login and logout rows by the Authentication schema, other audit rows by AuditEvent.
    @Test func asimColumnsHaveASIMTypesAndValues() throws {
        let ours: Set = ["Schema", "Origin", "Tenant", "Category"]
        let asim = try asimColumns()
        for column in try tableColumns() where !ours.contains(column.name) {
            let schemas = try #require(asim[column.name], "\(column.name) is neither ours nor ASIM's")
            for (schema, definition) in schemas {
                #expect(definition.type == column.type, "\(column.name) in \(schema): ASIM \(definition.type)")
            }
        }
        for (name, event) in try cases() {
            let row = try row(event)
            let login = ["auth.login", "auth.logout"].contains(event.action?.string ?? "") && event.category == .audit
            let schema = event.category != .audit ? "Common" : login ? "Authentication" : "AuditEvent"
            for (column, value) in row where !ours.contains(column) {
                guard let text = value as? String, let definition = asim[column]?[schema] ?? asim[column]?["Common"]
                else { continue }
                if !definition.values.isEmpty {
                    #expect(definition.values.contains(text), "\(name): \(column) = \(text) is not ASIM's (\(schema))")
                }
            }
        }
    }

    @Test(
        arguments: [
            ("audit-login-success", "Logon", nil, "Success", "Informational"),
            ("audit-logout", "Logoff", nil, "Success", "Informational"),
            ("audit-config-update", "Set", nil, "Success", "Informational"),
            ("audit-data-read-service", "Read", nil, "NA", "Informational"),
            ("audit-denied-unicode", "Other", nil, "Failure", "Medium"),
            ("threat-ioc-match", "Alert", "Threat", "Success", "High"),
            ("threat-tls-posture", "Alert", "Compliance Violation", "NA", "Medium"),
            ("threat-critical-ipv6", "Alert", nil, "Failure", "High"),
            ("decision-deny", "Alert", nil, "Success", "Medium"),
        ] as [(String, String, String?, String, String)])
    func typeResultAndSeverityAreASIMs(
        fixture: String, type: String, subType: String?, result: String, severity: String
    )
        throws
    {
        let event = try #require(try CanonicalFixtures.all().first { $0.name == fixture }).event
        let row = try row(event)
        #expect(row["EventType"] as? String == type)
        #expect(row["EventSubType"] as? String == subType)
        #expect(row["EventResult"] as? String == result)
        #expect(row["EventSeverity"] as? String == severity)
        #expect(row["EventOriginalSeverity"] as? String == event.severity.name.description)
        #expect(row["Tenant"] as? String == event.tenant?.string)
    }

    @Test func addressesSplitIntoIPAndHostnameColumns() throws {
        let hostname = try row(SecurityTestEvents.threats[0])
        #expect(hostname["TargetHostname"] as? String == "mail.acme.example")
        #expect(hostname["TargetIpAddr"] == nil)
        #expect(hostname["TargetPortNumber"] as? Int == 25)
        let unicode = try #require(try CanonicalFixtures.all().first { $0.name == "audit-denied-unicode" }).event
        #expect(try row(unicode)["SrcHostname"] as? String == "not-an-address")
        let ports = try row(SecurityTestEvents.threats[1])
        #expect(ports["SrcPortNumber"] as? Int == 0)
        #expect(ports["TargetPortNumber"] as? Int == 65_535)
    }

    @Test func decisionsCarryTheVerdictAndTheScore() throws {
        let row = try row(SecurityTestEvents.decisions[1])
        #expect(row["DvcAction"] as? String == "Deny")
        #expect(row["DvcOriginalAction"] as? String == "DENY")
        #expect(row["ThreatConfidence"] as? Int == 70)
        #expect((row["AdditionalFields"] as? [String: Any])?["rule"] is [String: Any])
        let unknown = try self.row(SecurityTestEvents.decisions[0])
        #expect(unknown["EventSeverity"] == nil && unknown["EventOriginalSeverity"] == nil)
        #expect(unknown["DvcAction"] == nil)
    }

    @Test(arguments: [
        (Int32(0), "2026-03-04T05:06:40Z"), (99, "2026-03-04T05:06:40Z"), (100, "2026-03-04T05:06:40.0000001Z"),
        (123_456_789, "2026-03-04T05:06:40.1234567Z"), (250_000_000, "2026-03-04T05:06:40.250Z"),
    ])
    func timeGeneratedKeepsUpToTicks(nanos: Int32, expected: String) throws {
        let event = SecurityTestEvents.audit("config.read", seconds: 1_772_600_800, nanos: nanos)
        #expect(try row(event)["TimeGenerated"] as? String == expected)
    }
}
