import ArgumentParser
import SIEMCore

/// argument-parser's errors in the project's style: one `error: …` line, and a second with the
/// command's usage only for mistakes of structure (a missing or unknown option), where it helps.
enum ArgumentErrorWording {
    static func lines<Root: ParsableCommand>(for error: any Error, root: Root.Type) -> [String] {
        let message = root.message(for: error)
        let full = root.fullMessage(for: error, columns: 10_000)
        let usage = full.split(separator: "\n").first { $0.hasPrefix("Usage: ") }.map {
            "usage: " + $0.dropFirst("Usage: ".count)
        }
        let help = full.split(separator: "\n").first { $0.contains("See '") }.map {
            $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "See '", with: "see '")
                .replacingOccurrences(of: " for more information.", with: "")
        }
        let commands = root.configuration.subcommands.map { $0.configuration.commandName ?? "" }
        if message.hasPrefix("Unexpected argument '"), usage?.hasSuffix("<subcommand>") ?? false {
            let name = String(message.dropFirst("Unexpected argument '".count).dropLast())
            return ["error: unknown command '\(name)'" + Suggestion.hint(for: name, in: commands)]
        }
        let structural = ["Missing expected argument", "Unknown option", "Unexpected argument"]
        var lines = ["error: " + lowercasingFirst(message)]
        if structural.contains(where: message.hasPrefix), let usage {
            lines.append(usage + (help.map { " (\($0))" } ?? ""))
        }
        return lines
    }

    static func lowercasingFirst(_ text: String) -> String {
        guard let first = text.first, first.isUppercase, !text.dropFirst().prefix(1).allSatisfy(\.isUppercase) else {
            return text
        }
        return first.lowercased() + text.dropFirst()
    }
}
