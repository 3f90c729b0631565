/// The ChaCha20 block function of RFC 8439 §2.3, in portable Swift (wrapping 32-bit adds, xors and
/// rotations only, so every platform computes the same bits). Used as the sampler's counter-mode PRF;
/// it is not used for encryption here.
public enum ChaCha20 {
    /// "expand 32-byte k" as four little-endian words.
    static let constants: (UInt32, UInt32, UInt32, UInt32) = (0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574)

    /// The 64-byte keystream block for a 256-bit key (8 little-endian words), a block counter and a
    /// 96-bit nonce (3 little-endian words), as 16 little-endian words.
    public static func block(key: [UInt32], counter: UInt32, nonce: [UInt32]) -> [UInt32] {
        precondition(key.count == 8 && nonce.count == 3, "ChaCha20 needs 8 key words and 3 nonce words")
        let initial: [UInt32] = [
            constants.0, constants.1, constants.2, constants.3,
            key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
            counter, nonce[0], nonce[1], nonce[2],
        ]
        var state = initial
        for _ in 0..<10 {
            quarterRound(&state, 0, 4, 8, 12)
            quarterRound(&state, 1, 5, 9, 13)
            quarterRound(&state, 2, 6, 10, 14)
            quarterRound(&state, 3, 7, 11, 15)
            quarterRound(&state, 0, 5, 10, 15)
            quarterRound(&state, 1, 6, 11, 12)
            quarterRound(&state, 2, 7, 8, 13)
            quarterRound(&state, 3, 4, 9, 14)
        }
        for index in 0..<16 { state[index] &+= initial[index] }
        return state
    }

    /// The block serialized as 64 bytes (each word little-endian).
    public static func blockBytes(key: [UInt32], counter: UInt32, nonce: [UInt32]) -> [UInt8] {
        block(key: key, counter: counter, nonce: nonce).flatMap { word in
            (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
        }
    }

    /// Reads little-endian words from bytes (a multiple of 4).
    public static func words(_ bytes: [UInt8]) -> [UInt32] {
        precondition(bytes.count % 4 == 0)
        return stride(from: 0, to: bytes.count, by: 4).map { start in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[start + $1]) << (8 * $1) }
        }
    }

    private static func quarterRound(_ state: inout [UInt32], _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        state[a] &+= state[b]; state[d] ^= state[a]; state[d] = state[d].rotatedLeft(16)
        state[c] &+= state[d]; state[b] ^= state[c]; state[b] = state[b].rotatedLeft(12)
        state[a] &+= state[b]; state[d] ^= state[a]; state[d] = state[d].rotatedLeft(8)
        state[c] &+= state[d]; state[b] ^= state[c]; state[b] = state[b].rotatedLeft(7)
    }
}

extension UInt32 {
    fileprivate func rotatedLeft(_ count: UInt32) -> UInt32 { self << count | self >> (32 - count) }
}
