/// Canonical compact JSON, already rendered: what `extra` becomes once per event, so every
/// formatter copies bytes instead of walking a tree.
///
/// Canonical means: no insignificant whitespace, strings escaped as `JSONWriter` escapes them,
/// numbers exactly as written, key order kept, no repeated key in an object.
public struct JSONText: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Wraps bytes the caller guarantees are canonical JSON.
    public init(canonicalBytes: [UInt8]) { bytes = canonicalBytes }

    /// Renders a parsed value canonically.
    public init(_ value: JSONValue) {
        var writer = JSONWriter(capacity: 64)
        writer.value(value)
        bytes = writer.bytes
    }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
