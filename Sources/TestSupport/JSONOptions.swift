import Foundation
import SIEMCore

/// Plugin options written as a JSON object, for tests: `try FileSink.Options.decode(from: JSONOptions(#"{"mode":"x"}"#))`.
public struct JSONOptions: OptionsDecoding {
    let object: [String: Any]
    public let keys: [String]

    public init(_ json: String) throws {
        object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
        keys = object.keys.sorted()
    }

    public func decode<T: Decodable>(_ type: T.Type, forKey key: String) throws -> T {
        let data = try JSONSerialization.data(withJSONObject: object[key] as Any, options: .fragmentsAllowed)
        return try JSONDecoder().decode(T.self, from: data)
    }
}
