/// Canonical compact JSON, already rendered: what `extra` becomes once per event, so every
/// formatter copies bytes instead of walking a tree.
///
/// Canonical means: no insignificant whitespace, strings escaped as `RecordWriter` escapes them,
/// numbers exactly as written, key order kept, no repeated key in an object. When the registry's
/// text is canonical already (the usual case) it is the row's own bytes, not a copy.
public struct JSONText: Sendable, Equatable, CustomStringConvertible {
    public let text: UTF8Text

    /// Wraps text the caller guarantees is canonical JSON.
    public init(canonical text: UTF8Text) { self.text = text }

    /// Wraps bytes the caller guarantees are canonical JSON.
    public init(canonicalBytes: [UInt8]) {
        let arena = TextArena(capacity: canonicalBytes.count)
        text = canonicalBytes.withUnsafeBufferPointer { arena.appendValidated($0) }
    }

    /// Renders a parsed value canonically.
    public init(_ value: JSONValue) {
        var writer = RecordWriter(capacity: 64)
        writer.value(value)
        self.init(canonicalBytes: writer.bytes)
    }

    public var bytes: [UInt8] { text.bytes }

    public var description: String { text.string }
}
