#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text as valid UTF-8 bytes in a `TextArena`: what row and event text columns hold.
///
/// Formatters write it without ever making a `String` (`JSONWriter.field(_:_:)` takes it as is);
/// `string` is there for code off the hot path. Equality is by bytes.
///
/// Ownership: a text made on its own (`UTF8Text("…")`, a redacted value, rewritten JSON) keeps
/// its arena alive itself. A batch's texts, made by a source with `TextArena.appendBorrowed`, do
/// not: the row holds the batch's arena once (`SourceRow.arena`), and the mapper hands it on to
/// the event (`Event.arena`). Copying such a text then costs no atomic reference count — a row and
/// an event had about eighty of them, a tenth of a run — and the rule is that a batch's text is
/// read only while its row or event (or anything else holding the arena) is alive.
public struct UTF8Text: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    @usableFromInline let arenaReference: Unmanaged<TextArena>
    /// The arena, for a text that keeps it alive itself; nil for a batch's text.
    @usableFromInline let owner: TextArena?
    @usableFromInline let start: Int
    /// Length in bytes.
    public private(set) var count: Int

    @usableFromInline
    init(arena: TextArena, start: Int, count: Int, owned: Bool) {
        arenaReference = Unmanaged.passUnretained(arena)
        owner = owned ? arena : nil
        self.start = start
        self.count = count
    }

    /// Text in an arena of its own, for values made outside a batch (tests, constants).
    public init(_ string: String) {
        var string = string
        let arena = TextArena(capacity: string.utf8.count)
        self = string.withUTF8 { arena.appendValidated($0) }
    }

    public init(stringLiteral value: String) { self.init(value) }

    public init(stringInterpolation: DefaultStringInterpolation) {
        self.init(String(stringInterpolation: stringInterpolation))
    }

    /// The first `n` bytes (which must end on a character boundary), owned as `self` is.
    func prefix(_ n: Int) -> UTF8Text {
        var text = self
        text.count = min(n, count)
        return text
    }

    public var isEmpty: Bool { count == 0 }

    /// The bytes, valid while `self` is.
    @inlinable
    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withExtendedLifetime(owner) {
            let base = arenaReference._withUnsafeGuaranteedRef { $0.base }
            return try body(UnsafeBufferPointer(start: base + start, count: count))
        }
    }

    public var string: String { withUTF8 { String(decoding: $0, as: UTF8.self) } }

    public var bytes: [UInt8] { withUTF8 { Array($0) } }

    public var description: String { string }

    public static func == (a: UTF8Text, b: UTF8Text) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) { withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) } }

    /// Whether the bytes equal a constant, without making a `String`.
    @inlinable
    public func equals(_ constant: StaticString) -> Bool {
        guard count == constant.utf8CodeUnitCount else { return false }
        return withExtendedLifetime(owner) {
            let base = arenaReference._withUnsafeGuaranteedRef { $0.base }
            return memcmp(base + start, constant.utf8Start, count) == 0
        }
    }
}
