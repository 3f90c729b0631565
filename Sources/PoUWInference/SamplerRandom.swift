/// The sampler's random draws: one uniform number per output position, a pure function of
/// (seed, request id, position), so any node can recompute the draw of any position.
///
/// Contract (sampler v1): ChaCha20 (RFC 8439) with key words `[seed lo, seed hi, requestID lo,
/// requestID hi, 0, 0, 0, 0]` (64-bit values split into little-endian 32-bit words), nonce words
/// `[0x57556F50 "PoUW", 0x31706D73 "smp1", 0]` and block counter = position. The first 8 bytes of
/// the block, read as a little-endian u64 `x`, give `bits53 = x >> 11` and `draw = bits53 / 2^53`.
public struct SamplerRandom: Sendable, Equatable {
    public let seed: UInt64
    public let requestID: UInt64

    /// Largest position with a draw (the block counter is 32 bits).
    public static let positionMax = Int(UInt32.max)
    static let nonce: [UInt32] = [0x5755_6F50, 0x3170_6D73, 0]

    public init(seed: UInt64, requestID: UInt64) {
        self.seed = seed
        self.requestID = requestID
    }

    /// The 53 random bits of `position`, in `0..<2^53`.
    public func bits53(position: Int) -> UInt64 {
        precondition(position >= 0 && position <= Self.positionMax, "position \(position) out of range")
        let key: [UInt32] = [
            UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32),
            UInt32(truncatingIfNeeded: requestID), UInt32(truncatingIfNeeded: requestID >> 32), 0, 0, 0, 0,
        ]
        let block = ChaCha20.block(key: key, counter: UInt32(position), nonce: Self.nonce)
        let x = UInt64(block[0]) | UInt64(block[1]) << 32
        return x >> 11
    }

    /// The uniform draw of `position`, in [0, 1), exactly `bits53 / 2^53`.
    public func draw(position: Int) -> Double {
        Double(bits53(position: position)) * 0x1p-53
    }
}
