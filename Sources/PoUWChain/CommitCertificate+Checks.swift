/// Checks of a commit certificate: its structure against a validator set (what the chain state checks
/// when a block carries it) and its signatures (what the caller checks before trusting it).
public import PoUWConsensus
public import PoUWCore
import PoUWCrypto

extension CommitCertificate {
    /// Checks that this certificate is for (`height`, `blockHash`) and that its precommits are well
    /// formed: at least one, strictly sorted by voter (one per voter), each a precommit for this
    /// height, round and block, each voter in `weights`, and together more than 2/3 of the total weight.
    /// Signatures are NOT checked here (see `verifySignatures(chainId:)`).
    public func checkStructure(
        height: UInt64, blockHash: Hash32, weights: [(key: PublicKey, weight: UInt64)]
    ) throws(ChainError) {
        func fail(_ reason: String) -> ChainError { .invalidCommit(reason: reason) }
        guard self.height == height else { throw fail("it is for height \(self.height), expected \(height)") }
        guard self.blockHash == blockHash else {
            throw fail("it is for block \(self.blockHash), expected \(blockHash)")
        }
        guard !precommits.isEmpty else { throw fail("it has no precommits") }
        let weightOf = Dictionary(weights.map { ($0.key, $0.weight) }, uniquingKeysWith: { first, _ in first })
        var signed: UInt128 = 0
        var previous: PublicKey? = nil
        for vote in precommits {
            if let previous, !(previous < vote.voter) {
                throw fail("precommits are not strictly sorted by voter (a voter appears twice?)")
            }
            previous = vote.voter
            guard vote.kind == .precommit, vote.height == self.height, vote.round == round,
                  vote.blockHash == self.blockHash
            else { throw fail("the vote of \(vote.voter) is not a precommit for this height, round and block") }
            guard let weight = weightOf[vote.voter] else { throw fail("\(vote.voter) is not a validator") }
            signed += UInt128(weight)
        }
        let total = weights.reduce(UInt128(0)) { $0 + UInt128($1.weight) }
        guard signed * 3 > total * 2 else {
            throw fail("precommits carry weight \(signed) of \(total), not more than two thirds")
        }
    }

    /// Verifies every precommit's Ed25519 signature over its `signingPayload` as a `MessageKind.vote`
    /// on `chainId`.
    /// - Throws: `.invalidCommit` naming the first voter whose signature fails.
    /// - Precondition: `chainId` is a valid chain id.
    public func verifySignatures(chainId: String) throws(ChainError) {
        for vote in precommits {
            do {
                try Ed25519.verify(
                    vote.signature, payload: vote.signingPayload, kind: .vote, chainId: chainId, publicKey: vote.voter
                )
            } catch {
                throw .invalidCommit(reason: "the precommit signature of \(vote.voter) does not verify (\(error))")
            }
        }
    }
}
