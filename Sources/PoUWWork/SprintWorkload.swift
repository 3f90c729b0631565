/// The Sprint workload: the proof-of-capacity computation every participant runs at the start of an
/// epoch (docs/protocol.md). For one (epoch seed, participant key, nonce):
///
/// 1. **Input.** `inputTokens` token ids from a SHA-256 counter stream:
///    `SHA-256("pouw/sprint/input/v1" ‖ epochSeed ‖ publicKey ‖ nonce (u64 LE) ‖ block (u32 LE))`, read
///    as little-endian u32 words, each mapped to `firstRegularToken + word % (vocabulary - firstRegularToken)`
///    (control tokens are never drawn).
/// 2. **Forward pass.** A fresh sequence prefilled with those tokens; the logits after the last one.
///    The logits are the output matrix applied to the final normalised hidden state, so projecting them
///    is a projection of that hidden state.
/// 3. **Artifact.** `artifactDimensions` values, each Σ sign·logit over `termsPerDimension` logit indices;
///    indices and signs come from `SHA-256("pouw/sprint/projection/v1" ‖ epochSeed ‖ dimension (u32 LE)
///    ‖ block (u32 LE))` (the projection changes every epoch, so it cannot be precomputed), summed in
///    index order in single precision.
/// 4. **Hash.** BLAKE2b-256 of `"pouw/sprint/artifact/v1" ‖ nonce (u64 LE) ‖ the values' IEEE-754 bits (LE)`.
///    The engine is bit-exact across machines and thread counts, so verifiers compare hashes exactly.
public import PoUWCore
import PoUWCrypto
public import PoUWInference

/// What one nonce of the Sprint produced.
public struct SprintArtifact: Sendable, Equatable {
    public init(nonce: UInt64, values: [Float], hash: Hash32) {
        self.nonce = nonce
        self.values = values
        self.hash = hash
    }

    public let nonce: UInt64
    public let values: [Float]
    public let hash: Hash32
}

public struct SprintWorkload: Sendable {
    public static let inputTokens = 32
    public static let artifactDimensions = 16
    public static let termsPerDimension = 64
    /// Ids below this are control tokens in the reference vocabulary and are never drawn.
    public static let firstRegularToken = 17

    public let model: InferenceModel

    public init(model: InferenceModel) {
        precondition(model.config.vocabularySize > Self.firstRegularToken + Self.termsPerDimension,
                     "vocabulary too small for the Sprint workload")
        self.model = model
    }

    /// The synthetic input of one nonce.
    public func input(epochSeed: Hash32, publicKey: PublicKey, nonce: UInt64) -> [Int] {
        let span = UInt32(model.config.vocabularySize - Self.firstRegularToken)
        let prefix = Array("pouw/sprint/input/v1".utf8) + epochSeed.bytes + publicKey.bytes + le(nonce)
        return Self.words(prefix: prefix, count: Self.inputTokens).map { Self.firstRegularToken + Int($0 % span) }
    }

    /// Runs the workload for one nonce.
    public func run(epochSeed: Hash32, publicKey: PublicKey, nonce: UInt64) throws(InferenceError) -> SprintArtifact {
        let tokens = input(epochSeed: epochSeed, publicKey: publicKey, nonce: nonce)
        let cache = try model.makeCache(capacity: tokens.count)
        let logits = try model.prefill(tokens, cache: cache)
        let values = project(logits, epochSeed: epochSeed)
        return SprintArtifact(nonce: nonce, values: values, hash: Self.hash(nonce: nonce, values: values))
    }

    /// Recomputes `claimed.nonce` and says whether the claim is exactly what this engine produces.
    public func verify(_ claimed: SprintArtifact, epochSeed: Hash32, publicKey: PublicKey) throws(InferenceError)
        -> Bool
    {
        let recomputed = try run(epochSeed: epochSeed, publicKey: publicKey, nonce: claimed.nonce)
        return recomputed == claimed
    }

    /// The artifact hash of step 4.
    public static func hash(nonce: UInt64, values: [Float]) -> Hash32 {
        var hashed = Array("pouw/sprint/artifact/v1".utf8) + le(nonce)
        for v in values { hashed += le(v.bitPattern) }
        return Blake2b256.hash(hashed)
    }

    /// The epoch's seeded projection of a logit vector.
    public func project(_ logits: [Float], epochSeed: Hash32) -> [Float] {
        let vocabulary = UInt32(logits.count)
        return (0..<Self.artifactDimensions).map { dimension in
            let prefix = Array("pouw/sprint/projection/v1".utf8) + epochSeed.bytes + le(UInt32(dimension))
            var sum: Float = 0
            for word in Self.words(prefix: prefix, count: Self.termsPerDimension) {
                let logit = logits[Int((word >> 1) % vocabulary)]
                sum += word & 1 == 0 ? logit : -logit
            }
            return sum
        }
    }

    /// `count` little-endian u32 words of the SHA-256 counter stream over `prefix`.
    static func words(prefix: [UInt8], count: Int) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(count)
        var block: UInt32 = 0
        while out.count < count {
            let digest = SHA256.hash(prefix + le(block)).bytes
            for i in stride(from: 0, to: 32, by: 4) where out.count < count {
                out.append(UInt32(digest[i]) | UInt32(digest[i + 1]) << 8 | UInt32(digest[i + 2]) << 16
                           | UInt32(digest[i + 3]) << 24)
            }
            block += 1
        }
        return out
    }
}

/// Little-endian bytes of a fixed-width integer.
func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
