/// Who checks whose Sprint, and which nonces. Pure and deterministic: every draw comes from a
/// BLAKE2b-256 counter stream over chain randomness (`sampleSeed`, fixed only after every participant
/// has committed its Sprint root), so every node derives the same duties and nobody can pick them.
///
/// ## Stream
///
/// Block j (j = 0, 1, …) of the stream for a domain D is
/// `BLAKE2b-256(D ‖ sampleSeed ‖ participant ‖ j (u64 LE))`, read as four u64 words, little-endian, in order.
/// Domains: `"pouw/sprint/sample-nonces/v1"` for nonces, `"pouw/sprint/verifiers/v1"` for verifiers.
///
/// `uniform(n)` (a value in 0..<n, n ≥ 1) takes words until one is ≥ `2^64 mod n` and returns it mod n:
/// the accepted words are a whole number of copies of 0..<n, so there is no modulo bias.
///
/// ## Nonces
///
/// When `count ≤ samples`, every nonce 0..<count is sampled. Otherwise Floyd's algorithm picks
/// `samples` distinct nonces with exactly one draw each: for `j` in `count − samples ..< count`,
/// `t = uniform(j + 1)`; add `t`, or `j` when `t` was already picked. The result is sorted.
///
/// ## Verifiers
///
/// Candidates: the validators of `weights` other than the participant with weight > 0, in key order.
/// When their total weight needs b > 63 bits, every weight first becomes `max(w >> (b − 63), 1)` (a
/// shift that keeps the sum below 2^64, and nobody drops out). Then `count` times (or
/// until no candidate is left): `u = uniform(total)`, pick the first candidate whose cumulative weight
/// exceeds `u`, remove it and its weight. The picks are returned sorted by key.
public import PoUWCore
import PoUWCrypto

public enum SprintSampling {
    /// The nonces of `participant`'s Sprint commit that verifiers must check (distinct, < count, at most
    /// `samples`, sorted).
    ///
    /// - Precondition: `samples ≥ 0`.
    public static func sampledNonces(
        sampleSeed: Hash32, participant: PublicKey, count: UInt64, samples: Int
    ) -> [UInt64] {
        precondition(samples >= 0, "samples must not be negative, got \(samples)")
        guard count > UInt64(samples) else { return Array(0..<count) }
        var stream = HashStream(domain: "pouw/sprint/sample-nonces/v1", seed: sampleSeed, participant: participant)
        var picked = Set<UInt64>()
        picked.reserveCapacity(samples)
        for j in (count - UInt64(samples))..<count {
            let t = stream.uniform(below: j + 1)
            picked.insert(picked.contains(t) ? j : t)
        }
        return picked.sorted()
    }

    /// The verifiers assigned to `participant`: weighted-random distinct validators other than the
    /// participant (fewer when not enough exist; sorted by key).
    ///
    /// - Precondition: `count ≥ 0`; the keys of `weights` are distinct.
    public static func verifiers(
        sampleSeed: Hash32, participant: PublicKey, weights: [(key: PublicKey, weight: UInt64)], count: Int
    ) -> [PublicKey] {
        precondition(count >= 0, "count must not be negative, got \(count)")
        var candidates = weights.filter { $0.key != participant && $0.weight > 0 }.sorted { $0.key < $1.key }
        for (a, b) in zip(candidates, candidates.dropFirst()) {
            precondition(a.key != b.key, "validator \(a.key) appears twice in the weights")
        }
        var total = WideUInt()
        for c in candidates { total.add(c.weight) }
        if total.high > 0 || total.low > UInt64(Int64.max) {
            let bits = total.high > 0 ? 128 - total.high.leadingZeroBitCount : 64
            let shift = UInt64(bits - 63)
            candidates = candidates.map { ($0.key, max($0.weight >> shift, 1)) }
        }
        var sum = candidates.reduce(UInt64(0)) { $0 + $1.weight }
        var stream = HashStream(domain: "pouw/sprint/verifiers/v1", seed: sampleSeed, participant: participant)
        var chosen: [PublicKey] = []
        while chosen.count < count && !candidates.isEmpty {
            var u = stream.uniform(below: sum)
            var index = 0
            while u >= candidates[index].weight {
                u -= candidates[index].weight
                index += 1
            }
            chosen.append(candidates[index].key)
            sum -= candidates[index].weight
            candidates.remove(at: index)
        }
        return chosen.sorted()
    }
}

/// The BLAKE2b-256 counter stream of the file comment.
struct HashStream {
    private let prefix: [UInt8]
    private var block: UInt64 = 0
    private var words: [UInt64] = []
    private var next = 0

    init(domain: String, seed: Hash32, participant: PublicKey) {
        prefix = Array(domain.utf8) + seed.bytes + participant.bytes
    }

    mutating func word() -> UInt64 {
        if next == words.count {
            var hasher = Blake2b256.Hasher()
            hasher.update(prefix)
            hasher.update(withUnsafeBytes(of: block.littleEndian) { Array($0) })
            let digest = hasher.finalize().bytes
            words = stride(from: 0, to: 32, by: 8).map { start in
                digest[start..<start + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            }
            block += 1
            next = 0
        }
        defer { next += 1 }
        return words[next]
    }

    /// A uniform value in 0..<bound, by rejection (no modulo bias). - Precondition: `bound > 0`.
    mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below: 0)")
        let threshold = (0 &- bound) % bound
        while true {
            let w = word()
            if w >= threshold { return w % bound }
        }
    }
}
