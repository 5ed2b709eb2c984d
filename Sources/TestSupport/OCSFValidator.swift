import Foundation

/// OCSF output checked by the published OCSF 1.8.0 schema, not by our own reading of it:
/// scripts/validate-ocsf.py builds each class's JSON Schema with the `ocsf-json-schema` package
/// (which bundles the 1.8.0 schema export) and validates with `jsonschema`, then checks what
/// JSON Schema cannot say (type_uid arithmetic, captions of ids, no deprecated attribute).
public enum OCSFValidator {
    public struct Validation: Decodable, Sendable {
        public var events: Int
        public var classes: [String: Int]
        public var failures: Int
    }

    /// Runs the validator over JSON-lines files; the result, or the validator's own words.
    public static func validate(_ paths: [String]) throws -> (Validation?, String) {
        let script = RepositoryPaths.root.appendingPathComponent("scripts/validate-ocsf.py").path
        let result = try ExternalTool.run(["python3", script] + paths)
        return (try? JSONDecoder().decode(Validation.self, from: result.stdout), result.stderr)
    }
}
