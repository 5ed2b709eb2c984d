import Foundation

/// The random source of a property test: seeded, its seed in every failure's message, and the
/// same run again with `SIEM_TEST_SEED=<seed>`. SplitMix64 (Steele, Lea, Flood 2014): small, fast
/// and good enough to drive generators; the same seed gives the same values on every platform.
public struct SeededRandom: RandomNumberGenerator {
    public let seed: UInt64
    private var state: UInt64

    /// The seed of `SIEM_TEST_SEED` when set, else a fresh one.
    public init() {
        let given = ProcessInfo.processInfo.environment["SIEM_TEST_SEED"].flatMap(UInt64.init)
        self.init(seed: given ?? UInt64.random(in: 0...UInt64.max))
    }

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// What a failed expectation says, so the failing run can be repeated.
    public var note: String { "seed \(seed), repeat with SIEM_TEST_SEED=\(seed)" }
}
