import Foundation
import SIEMCore

/// The shared canonical events under `Tests/Fixtures/events/`, one JSON object per file, for the
/// categories beyond the beacon's (audit, threat, decision): each formatter's golden files for
/// them are made from these. Keys are the canonical field names (as a template names them);
/// `time` is RFC 3339 text or epoch seconds; `attributes` any JSON object.
public enum CanonicalFixtures {
    public struct Case: Sendable {
        public let name: String
        public let event: Event
    }

    public static var directory: URL { RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/events") }

    public static func all() throws -> [Case] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            return Case(name: String(file.dropLast(5)), event: try event(fromJSON: text, file: file))
        }
    }

    public static func event(fromJSON json: String, file: String = "fixture") throws -> Event {
        let value = try JSONParser.parse(json)
        func string(_ key: String) -> String? { value[key]?.stringValue }
        func text(_ key: String) -> UTF8Text? { string(key).map { UTF8Text($0) } }
        func integer(_ key: String) -> Int64? {
            if case .number(let n)? = value[key] { return Int64(n) }
            return nil
        }
        guard let categoryName = string("category"), let category = EventCategory(rawValue: categoryName),
            let id = integer("id"), let action = text("action"), let origin = string("origin")
        else { throw SIEMError.usage("\(file): needs category, id, origin and action") }
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        if let time = string("time") {
            guard let parsed = RFC3339.parse(time) else { throw SIEMError.usage("\(file): bad time \(time)") }
            (seconds, nanos) = parsed
        } else if let time = integer("time") {
            seconds = time
        }
        var attributes: JSONText?
        if let object = value["attributes"], case .object = object {
            attributes = JSONText(object)
        }
        let outcome = string("outcome").flatMap { EventOutcome(rawValue: $0) } ?? .unknown
        let severity = string("severity").flatMap { EventSeverity(name: $0) } ?? .unknown
        let verdict = string("verdict").flatMap { EventVerdict(rawValue: $0) }
        let sourcePort = integer("source_port").map { Int32($0) }
        let destinationPort = integer("destination_port").map { Int32($0) }
        let confidence = integer("confidence").map { Int16($0) }
        return Event(
            category: category, eventID: id, occurredUnix: seconds, occurredNanos: nanos, origin: origin,
            action: action, tenant: text("tenant"), outcome: outcome, severity: severity,
            actorUser: text("actor_user"), actorService: text("actor_service"), target: text("target"),
            sourceIP: text("source_ip"), sourcePort: sourcePort, destinationIP: text("destination_ip"),
            destinationPort: destinationPort, userAgent: text("user_agent"), message: text("message"),
            confidence: confidence, verdict: verdict, attributes: attributes)
    }
}
