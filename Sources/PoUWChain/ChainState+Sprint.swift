/// Sprint queries for the node driver: who committed, who must verify whom, and which nonces.
public import PoUWCore
import PoUWStorage

/// One verification a verifier owes in the current epoch: re-compute `nonces` of `participant`'s
/// commit (`root`, `count`) and send a verdict.
public struct SprintDuty: Hashable, Sendable {
    public var participant: PublicKey
    public var root: Hash32
    public var count: UInt64
    public var nonces: [UInt64]

    public init(participant: PublicKey, root: Hash32, count: UInt64, nonces: [UInt64]) {
        self.participant = participant
        self.root = root
        self.count = count
        self.nonces = nonces
    }
}

extension ChainState {
    /// The Sprint commits of the current epoch `epoch`, by participant key (empty for any other epoch:
    /// commits are cleared at each epoch transition).
    public func sprintCommits(
        epoch: UInt64
    ) throws(ChainError) -> [(participant: PublicKey, commit: SprintCommitRecord)] {
        try Self.mapped {
            try store.read { tx in
                try tx.scanPrefix(ChainTables.sprintCommits, prefix: epoch.storageBytes).map { entry in
                    (PublicKey(Array(entry.key[8..<40])), entry.value.value)
                }
            }
        }
    }

    /// The verifiers assigned to `participant` in `epoch`; empty before the epoch's sample seed exists.
    public func assignedVerifiers(epoch: UInt64, participant: PublicKey) throws(ChainError) -> [PublicKey] {
        guard let info = try epochInfo(epoch), let sampleSeed = info.sampleSeed else { return [] }
        return SprintSampling.verifiers(
            sampleSeed: sampleSeed, participant: participant, weights: info.weightTuples,
            count: Int(parameters.sprintVerifiers)
        )
    }

    /// The verifications `verifier` owes in `epoch` (the current epoch), in participant key order; empty
    /// before the sample seed exists.
    public func sprintDuties(epoch: UInt64, verifier: PublicKey) throws(ChainError) -> [SprintDuty] {
        guard let info = try epochInfo(epoch), let sampleSeed = info.sampleSeed else { return [] }
        var duties: [SprintDuty] = []
        for (participant, commit) in try sprintCommits(epoch: epoch) {
            let assigned = SprintSampling.verifiers(
                sampleSeed: sampleSeed, participant: participant, weights: info.weightTuples,
                count: Int(parameters.sprintVerifiers)
            )
            guard assigned.contains(verifier) else { continue }
            let nonces = SprintSampling.sampledNonces(
                sampleSeed: sampleSeed, participant: participant, count: commit.count,
                samples: Int(parameters.sprintSamples)
            )
            duties.append(SprintDuty(participant: participant, root: commit.root, count: commit.count, nonces: nonces))
        }
        return duties
    }
}
