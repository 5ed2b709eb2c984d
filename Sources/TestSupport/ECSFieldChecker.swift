import Foundation

/// ECS documents checked against Elastic's published field definitions, not our own reading of
/// them: scripts/check-ecs-fields.py reads the definitions vendored from elastic/ecs
/// `generated/ecs/ecs_flat.yml` (Tests/Fixtures/ecs/, made by scripts/vendor-ecs-fields.py) and
/// checks every field's existence, type, array normalization, allowed values and the expected
/// `event.category`/`event.type` pairs, with Python's own JSON parser.
public enum ECSFieldChecker {
    public struct Report: Decodable, Sendable {
        public var documents: Int
        public var fields: Int
        public var problems: [String]
    }

    /// The ECS releases whose definitions are vendored: the oldest and newest `ecs_version` takes.
    public static let vendoredVersions = ["8.11.0", "9.4.0"]

    /// Checks documents (one JSON object each) against every vendored release.
    public static func check(_ documents: [[UInt8]]) throws -> Report {
        let definitions = vendoredVersions.map {
            RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/ecs/ecs-\($0)-fields.json").path
        }
        let script = RepositoryPaths.root.appendingPathComponent("scripts/check-ecs-fields.py").path
        let input = Data(documents.flatMap { $0 + [0x0A] })
        let result = try ExternalTool.run(["python3", script] + definitions, input: input)
        guard let report = try? JSONDecoder().decode(Report.self, from: result.stdout) else {
            throw CheckError(message: "scripts/check-ecs-fields.py could not run: \(result.stderr)")
        }
        return report
    }

    public struct CheckError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
