import SIEMCore

/// Decoding errors of a `table` mapper's config, in the config's words, at the node they concern
/// (the host turns a coding path into `file:line:col` and `fields.outcome.map`).
enum TableConfigError {
    /// A coding key of any name.
    struct Key: CodingKey, Hashable {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        static func named(_ name: String) -> Key { Key(stringValue: name) }
    }

    static func at(_ decoder: any Decoder, _ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: message))
    }

    static func at(_ path: [any CodingKey], _ message: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: message))
    }

    /// The node as a mapping whose keys are all `allowed`; an unknown key is refused with the
    /// closest allowed one.
    static func mapping(_ decoder: any Decoder, allowed: [String]) throws -> KeyedDecodingContainer<Key> {
        let keyed: KeyedDecodingContainer<Key>
        do {
            keyed = try decoder.container(keyedBy: Key.self)
        } catch {
            throw at(
                decoder,
                "expected a column name or a mapping with " + allowed.map { "`\($0):`" }.joined(separator: ", "))
        }
        for key in keyed.allKeys where !allowed.contains(key.stringValue) {
            throw at(
                decoder.codingPath + [key],
                "unknown key '\(key.stringValue)'" + Suggestion.hint(for: key.stringValue, in: allowed))
        }
        return keyed
    }
}
