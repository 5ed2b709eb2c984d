#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text as valid UTF-8 bytes in a `TextArena`: what row and event text columns hold.
///
/// Formatters write it without ever making a `String` (`RecordWriter.field(_:_:)` takes it as is);
/// `string` is there for code off the hot path. Equality is by bytes.
public struct UTF8Text: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    @usableFromInline let arena: TextArena
    @usableFromInline let start: Int
    /// The length in bytes, and in the top bit whether the text needs no JSON escaping: packed
    /// so that the flag does not grow every text field of every row and event by a word.
    @usableFromInline let lengthAndPlain: UInt

    @usableFromInline static var plainBit: UInt { 1 << (UInt.bitWidth - 1) }

    /// `plain` must be true only when no byte needs JSON escaping (`RecordWriter` then copies the
    /// bytes as they are); false is always safe.
    @usableFromInline
    init(arena: TextArena, start: Int, count: Int, plain: Bool) {
        self.init(arena: arena, start: start, lengthAndPlain: Self.pack(count: count, plain: plain))
    }

    @inlinable
    init(arena: TextArena, start: Int, lengthAndPlain: UInt) {
        self.arena = arena
        self.start = start
        self.lengthAndPlain = lengthAndPlain
    }

    @inlinable
    static func pack(count: Int, plain: Bool) -> UInt { UInt(count) | (plain ? plainBit : 0) }

    /// Length in bytes.
    @inlinable public var count: Int { Int(bitPattern: lengthAndPlain & ~Self.plainBit) }

    /// True when no byte is `"`, `\`, a C0 control or DEL, so JSON needs it only between quotes.
    /// Found once as the text enters its arena (`UTF8Validation.scan`), instead of once per
    /// formatter that writes it: ECS alone writes each id twice.
    @inlinable public var needsNoJSONEscaping: Bool { lengthAndPlain & Self.plainBit != 0 }

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

    /// The first `n` bytes (which must end on a character boundary).
    func prefix(_ n: Int) -> UTF8Text {
        UTF8Text(arena: arena, start: start, count: min(n, count), plain: needsNoJSONEscaping)
    }

    public var isEmpty: Bool { count == 0 }

    /// The bytes, valid while `self` is.
    @inlinable
    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withExtendedLifetime(arena) { try body(unsafeBytes) }
    }

    /// The bytes, for code in this module that holds `self` for as long as it uses them (a
    /// parameter does): no closure, so nothing for the optimizer to fail to inline.
    @inlinable
    var unsafeBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: arena.base + start, count: count) }

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
        return withExtendedLifetime(arena) { memcmp(arena.base + start, constant.utf8Start, count) == 0 }
    }
}
