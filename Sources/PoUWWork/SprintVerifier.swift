/// The verifier side of the Sprint: check the sampled nonces of one participant's commitment.
///
/// For every sampled nonce n (duplicates are checked once) the verifier needs exactly one proof with
/// `nonce == n`, whose Merkle path has `leafIndex == n` and `leafCount == count` (the count committed on
/// chain) and leads from leaf data `artifactHash` to the committed root; then it recomputes nonce n
/// with its own engine and requires the same artifact hash. The cheap Merkle checks of all proofs run
/// before any recomputation, so a malformed answer costs no inference. Proofs for nonces that were not
/// sampled are ignored.
public import PoUWCore
import PoUWCrypto

public enum SprintVerifier {
    /// Recomputes each sampled nonce with `work` and checks it against the proof and the committed root;
    /// true only if every sampled nonce has a valid proof whose hash matches the recomputation. An empty
    /// `sampled` is vacuously true. Errors of `work` (the verifier's own engine failing) propagate: they
    /// say nothing about the participant.
    public static func check(
        work: some SprintWork, epochSeed: Hash32, participant: PublicKey, root: Hash32, count: UInt64,
        sampled: [UInt64], proofs: [SprintProof]
    ) throws -> Bool {
        let wanted = Set(sampled)
        var byNonce: [UInt64: SprintProof] = [:]
        for proof in proofs where wanted.contains(proof.nonce) {
            guard byNonce.updateValue(proof, forKey: proof.nonce) == nil else { return false }
        }
        let order = wanted.sorted()
        for nonce in order {
            guard nonce < count, let proof = byNonce[nonce] else { return false }
            guard proof.merkle.leafIndex == nonce, proof.merkle.leafCount == count,
                  MerkleTree.verify(proof.merkle, leafData: proof.artifactHash.bytes, root: root)
            else { return false }
        }
        for nonce in order {
            let recomputed = try work.artifactHash(epochSeed: epochSeed, publicKey: participant, nonce: nonce)
            guard let proof = byNonce[nonce], recomputed == proof.artifactHash else { return false }
        }
        return true
    }
}
