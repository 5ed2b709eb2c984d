import Foundation
import SIEMCore

/// What every formatter must do, checked the same way for each: defaults stated once, options
/// all listed, deterministic bytes, valid UTF-8, one JSON object per record that an independent
/// strict parser (Foundation's `JSONSerialization`) accepts, and no raw newline inside a record.
public enum FormatterConformance {
    /// Returns every problem found; an empty list means the formatter conforms.
    public static func problems<F: EventFormatter>(_ type: F.Type, events: [Event]) -> [String] {
        var problems = OptionsConformance.problems(F.Options.self, plugin: F.id)
        let formatter: F
        do {
            formatter = try F(options: F.Options(), context: PluginContext(baseDirectory: "/"))
        } catch {
            return problems + ["\(F.id): cannot be made with default options: \(error)"]
        }
        for event in events {
            do {
                var first = RecordWriter()
                var second = RecordWriter()
                try formatter.encode(event, into: &first)
                try formatter.encode(event, into: &second)
                if first.bytes != second.bytes {
                    problems.append("\(F.id) event \(event.eventID): bytes differ between runs")
                }
                if String(validating: first.bytes, as: UTF8.self) == nil {
                    problems.append("\(F.id) event \(event.eventID): not valid UTF-8")
                }
                if first.bytes.contains(0x0A) || first.bytes.contains(0x0D) {
                    problems.append("\(F.id) event \(event.eventID): raw line break inside a record")
                }
                // Text-line formats (CEF, syslog) are parsed by their own tests' parsers.
                if F.framings != [.lines] {
                    let parsed = try JSONSerialization.jsonObject(with: Data(first.bytes))
                    if !(parsed is [String: Any]) {
                        problems.append("\(F.id) event \(event.eventID): not a JSON object")
                    }
                }
            } catch {
                problems.append("\(F.id) event \(event.eventID): \(error)")
            }
        }
        return problems
    }
}
