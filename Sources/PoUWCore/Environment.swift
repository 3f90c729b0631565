/// Time and randomness reach protocol logic only through these protocols, so that a seeded
/// simulator can drive whole clusters deterministically. Pure modules never read the wall clock or
/// system randomness directly (enforced by TidyTests).

/// Nanoseconds since an arbitrary, monotonic origin chosen by the clock.
public typealias Nanoseconds = UInt64

/// A source of time. Production drivers use the system clock; tests and the simulator a manual one.
public protocol Clock: Sendable {
    /// Monotonic time, for timeouts and latency measurements.
    func monotonicNanoseconds() -> Nanoseconds
    /// Wall time as Unix milliseconds, for block timestamps and logs.
    func unixMilliseconds() -> UInt64
}

/// A source of random bytes. Production uses the OS CSPRNG (PoUWCrypto); tests a seeded generator.
public protocol Entropy: Sendable {
    func fill(_ buffer: inout [UInt8])
}

/// A deterministic generator for tests and simulation (SplitMix64). Not for keys.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
