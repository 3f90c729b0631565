/// The commitment a receipt makes to the per-token top-k logprobs of its output: a Merkle root over one
/// leaf per generated position, and proofs that open one position against it.
///
/// Leaf data of position i (all integers little-endian):
///
///     "pouw/logprob-leaf/v1" (20 ASCII bytes) ‖ i u32 ‖ chosen token u32 ‖ k × (token u32, logprob f32 bits)
///
/// The tree is PoUWCrypto's `MerkleTree` over these leaf data, so a leaf hash is
/// BLAKE2b-256(0x00 ‖ leaf data). A logprob is the IEEE-754 binary32 bit pattern of `Float(logprob)`
/// (round to nearest even from the engine's `Double`), with −0 written as +0; NaN is not allowed.
/// The alternatives are in the order the engine reports them (most likely first). Zero positions give
/// `MerkleTree.emptyRoot`.
public import PoUWCore
import PoUWCrypto

public struct LogprobCommitment: Sendable {
    /// The first bytes of every leaf.
    public static let leafTag: [UInt8] = Array("pouw/logprob-leaf/v1".utf8)

    /// Alternatives per position.
    public let k: Int
    private let tree: MerkleTree

    /// The commitment over `positions` in generation order: position i is `positions[i]`, with the
    /// token chosen there and its top-k alternatives (PoUWInference's `GeneratedToken.token` / `.top`).
    /// - Precondition: every `top` has exactly `k` entries, `k` ≤ `ReceiptLimits.topLogprobsMax`; token
    ///   ids are u32; no logprob is NaN; fewer than 2³² positions.
    public init(positions: [(chosen: Int, top: [(token: Int, logprob: Double)])], k: Int) {
        precondition(k >= 0 && k <= ReceiptLimits.topLogprobsMax, "k is \(k); use 0...\(ReceiptLimits.topLogprobsMax)")
        precondition(positions.count <= Int(UInt32.max), "too many positions for u32 indices")
        self.k = k
        var leafHashes = [Hash32]()
        leafHashes.reserveCapacity(positions.count)
        for (index, position) in positions.enumerated() {
            precondition(position.top.count == k, "position \(index) has \(position.top.count) alternatives, not \(k)")
            let data = Self.leafData(position: index, chosen: position.chosen, top: position.top)
            leafHashes.append(MerkleTree.leafHash(data))
        }
        self.tree = MerkleTree(leafHashes: leafHashes)
    }

    /// The root that goes into `InferenceReceipt.logprobRoot`.
    public var root: Hash32 { tree.root }

    /// The number of positions (leaves); equals the receipt's `completionTokens`.
    public var positionCount: Int { tree.leafCount }

    /// The inclusion proof of position `position`.
    /// - Precondition: `position < positionCount`.
    public func proof(position: Int) -> MerkleProof { tree.proof(index: position) }

    /// The leaf data of one position (see the layout above).
    /// - Precondition: `position` and token ids are u32; no logprob is NaN.
    public static func leafData(position: Int, chosen: Int, top: [(token: Int, logprob: Double)]) -> [UInt8] {
        var bytes = leafTag
        bytes.reserveCapacity(leafTag.count + 8 + 8 * top.count)
        InferenceReceipt.appendUInt32(position, to: &bytes)
        InferenceReceipt.appendUInt32(chosen, to: &bytes)
        for entry in top {
            InferenceReceipt.appendUInt32(entry.token, to: &bytes)
            InferenceReceipt.appendUInt32(logprobBits(entry.logprob), to: &bytes)
        }
        return bytes
    }

    /// The f32 bit pattern a leaf holds for `logprob`: `Float(logprob).bitPattern`, −0 as +0.
    /// - Precondition: `logprob` is not NaN.
    public static func logprobBits(_ logprob: Double) -> UInt32 {
        precondition(!logprob.isNaN, "a logprob is never NaN")
        let value = Float(logprob)
        return value == 0 ? 0 : value.bitPattern
    }

    /// Whether `proof` opens position `position` with this chosen token and these alternatives under
    /// `root`, in a commitment of `positionCount` positions. `positionCount` must come from a trusted
    /// place (the signed receipt's `completionTokens`), never from the proof alone.
    public static func verify(
        _ proof: MerkleProof, position: Int, chosen: Int, top: [(token: Int, logprob: Double)], root: Hash32,
        positionCount: UInt64
    ) -> Bool {
        guard position >= 0, UInt64(position) == proof.leafIndex, proof.leafCount == positionCount,
              position <= Int(UInt32.max), chosen >= 0, chosen <= Int(UInt32.max),
              top.allSatisfy({ $0.token >= 0 && $0.token <= Int(UInt32.max) && !$0.logprob.isNaN })
        else { return false }
        return MerkleTree.verify(proof, leafData: leafData(position: position, chosen: chosen, top: top), root: root)
    }
}

extension InferenceReceipt {
    /// Whether `proof` opens position `position` of this receipt's `logprobRoot`: the proof's leaf count
    /// is `completionTokens`, `top` has `logprobK` entries, and the leaf hashes up to the root.
    public func verifyLogprobs(
        _ proof: MerkleProof, position: Int, chosen: Int, top: [(token: Int, logprob: Double)]
    ) -> Bool {
        guard top.count == Int(logprobK) else { return false }
        return LogprobCommitment.verify(
            proof, position: position, chosen: chosen, top: top, root: logprobRoot,
            positionCount: UInt64(completionTokens)
        )
    }
}
