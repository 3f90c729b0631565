/// The prover side of the Sprint: run nonces 0, 1, … of the workload and commit to their artifact
/// hashes with one Merkle root (docs/protocol.md).
///
/// Commitment: `leaves[i]` is the artifact hash of nonce i, and the root is `MerkleTree`'s root over
/// the leaves whose DATA are those 32 bytes, i.e. leaf hash `BLAKE2b-256(0x00 ‖ artifactHash)`. The
/// artifact hash already binds its nonce (SprintWorkload step 4), and the leaf position is the nonce,
/// so a leaf can be neither renumbered nor moved. The count travels beside the root (the root does not
/// commit to it; see `MerkleTree`), and verifiers take it from the chain, never from the proof.
public import PoUWCore
import PoUWCrypto

/// What the Sprint needs from a workload: the artifact hash of one (epoch seed, key, nonce). The real
/// `SprintWorkload` conforms; tests use cheap stand-ins. Must be a deterministic function of its inputs.
public protocol SprintWork: Sendable {
    func artifactHash(epochSeed: Hash32, publicKey: PublicKey, nonce: UInt64) throws -> Hash32
}

extension SprintWorkload: SprintWork {
    /// The hash of `run(epochSeed:publicKey:nonce:)`'s artifact.
    public func artifactHash(epochSeed: Hash32, publicKey: PublicKey, nonce: UInt64) throws -> Hash32 {
        try run(epochSeed: epochSeed, publicKey: publicKey, nonce: nonce).hash
    }
}

/// A participant's Sprint result: the root and count it commits on chain, and the leaves it keeps to
/// answer proof requests.
public struct SprintCommitment: Sendable, Equatable {
    public let root: Hash32
    public let count: UInt64
    /// `leaves[i]` = artifact hash of nonce i.
    public let leaves: [Hash32]

    /// The commitment over `leaves` (leaf i = artifact hash of nonce i).
    public init(leaves: [Hash32]) {
        self.leaves = leaves
        self.count = UInt64(leaves.count)
        self.root = SprintCommitment.tree(leaves).root
    }

    static func tree(_ leaves: [Hash32]) -> MerkleTree {
        MerkleTree(leafHashes: leaves.map { MerkleTree.leafHash($0.bytes) })
    }
}

/// The opening of one nonce of a commitment: its artifact hash and the Merkle path to the root.
public struct SprintProof: Sendable, Equatable {
    public let nonce: UInt64
    public let artifactHash: Hash32
    public let merkle: MerkleProof

    public init(nonce: UInt64, artifactHash: Hash32, merkle: MerkleProof) {
        self.nonce = nonce
        self.artifactHash = artifactHash
        self.merkle = merkle
    }
}

public enum SprintProver {
    /// Runs nonces 0, 1, … until `noncesMax` or `shouldStop()` returns true (checked before every nonce,
    /// so a stop that is already due runs none; the node passes a deadline check), and returns the
    /// Merkle commitment over the artifact hashes. Errors of `work` propagate; nothing is committed then.
    public static func run(
        work: some SprintWork, epochSeed: Hash32, publicKey: PublicKey, noncesMax: UInt64, shouldStop: () -> Bool
    ) throws -> SprintCommitment {
        var leaves: [Hash32] = []
        var nonce: UInt64 = 0
        while nonce < noncesMax && !shouldStop() {
            leaves.append(try work.artifactHash(epochSeed: epochSeed, publicKey: publicKey, nonce: nonce))
            nonce += 1
        }
        return SprintCommitment(leaves: leaves)
    }

    /// The opening of `nonce`, or nil when `nonce ≥ c.count`. Builds the tree; for many nonces use
    /// `proofs(_:nonces:)`, which builds it once.
    public static func proof(_ c: SprintCommitment, nonce: UInt64) -> SprintProof? {
        proofs(c, nonces: [nonce])?.first
    }

    /// The openings of `nonces`, in their order, or nil when any of them is ≥ `c.count`.
    public static func proofs(_ c: SprintCommitment, nonces: [UInt64]) -> [SprintProof]? {
        guard nonces.allSatisfy({ $0 < c.count }) else { return nil }
        let tree = SprintCommitment.tree(c.leaves)
        return nonces.map { nonce in
            SprintProof(nonce: nonce, artifactHash: c.leaves[Int(nonce)], merkle: tree.proof(index: Int(nonce)))
        }
    }
}
