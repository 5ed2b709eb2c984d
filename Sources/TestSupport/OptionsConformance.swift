import SIEMCore

/// What every plugin's options must do: each key declared once with help, every default valid by
/// its key's own rule and by the rules over several keys, and (when nothing is required) an empty
/// node decoding to the defaults, so a config that names only the required keys works.
public enum OptionsConformance {
    /// Every problem found; empty when the options conform.
    public static func problems<O: PluginOptions>(_ type: O.Type, plugin: String) -> [String] {
        var problems = O.declarationProblems.map { "\(plugin): \($0)" }
        if !O.specs.contains(where: \.isRequired) {
            do {
                if try O.decode(from: NoKeys()) != O() {
                    problems.append("\(plugin): options decoded from {} differ from Options()")
                }
            } catch {
                problems.append("\(plugin): options cannot be decoded from {}: \(error)")
            }
        }
        return problems
    }

    /// A node with no keys.
    struct NoKeys: OptionsDecoding {
        var keys: [String] { [] }
        func decode<T: Decodable>(_ type: T.Type, forKey key: String) throws -> T {
            throw SIEMError.invalidOption(key: key, message: "absent")
        }
    }
}
