/// Every bad element of a list, not only the first: Swift's `Array` decoding stops at its first
/// error, so a template with three misspelt fields would be fixed one run at a time. A list
/// decoded with `decodeEach` reports them all; the config layer turns each into a diagnostic at
/// its own line.
public struct DecodingErrors: Error, Sendable {
    public var errors: [DecodingError]

    public init(_ errors: [DecodingError]) { self.errors = errors }

    /// `error` as the decoding errors it holds (none when it is another kind of error).
    public static func flatten(_ error: any Error) -> [DecodingError] {
        if let many = error as? DecodingErrors { return many.errors }
        if let one = error as? DecodingError { return [one] }
        return []
    }

    /// Each element of `container`, decoded on its own; throws every element's errors together.
    public static func decodeEach<E: Decodable>(
        _ type: E.Type, from container: inout any UnkeyedDecodingContainer
    )
        throws -> [E]
    {
        var elements: [E] = []
        var errors: [DecodingError] = []
        while !container.isAtEnd {
            do {
                elements.append(try container.decode(E.self))
            } catch {
                let found = flatten(error)
                guard !found.isEmpty else { throw error }
                errors += found
                // A failed decode leaves the container on the element: step over it.
                _ = try container.decode(Skipped.self)
            }
        }
        guard errors.isEmpty else { throw DecodingErrors(errors) }
        return elements
    }

    private struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }
}

/// A list option: the config layer decodes its elements one by one, to report each bad one.
public protocol ListOptionValue {
    static var elementType: any Decodable.Type { get }
}

extension Array: ListOptionValue where Element: Decodable {
    public static var elementType: any Decodable.Type { Element.self }
}
