/// The epoch transition at the last block of an epoch (docs/protocol.md, "Epochs"): the Sprint's
/// verified counts become the next epoch's weights.
import PoUWCore
import PoUWStorage

struct EpochTransition {
    let parameters: ChainParameters
    let tx: any WriteTransaction

    /// Writes epoch e+1 (start height, seed, weights), moves epoch e to the history and clears the
    /// Sprint tables.
    ///
    /// A participant's verified count is its committed count when the verdicts about it carry more
    /// passing than failing weight (weights of epoch e) with at least one passing verdict, else 0.
    /// The next weights are `EpochMath.nextWeights` of every committed participant; when that is empty,
    /// or above `ChainLimits.totalWeightMax` in total, epoch e's weights carry over. Above
    /// `ChainLimits.validatorsMax` participants, the largest weights are kept (ties: lower key).
    func advance(from epoch: EpochInfo, lastCommitHash: Hash32) throws {
        let inputs = try participants(of: epoch)
        var next = EpochMath.nextWeights(inputs, rules: parameters.weightRules).filter { $0.weight > 0 }
        if next.count > ChainLimits.validatorsMax {
            next = Array(next.sorted { ($0.weight, $1.key) > ($1.weight, $0.key) }.prefix(ChainLimits.validatorsMax))
        }
        next.sort { $0.key < $1.key }
        var total: UInt64 = 0
        var tooHeavy = false
        for entry in next {
            let (sum, overflow) = total.addingReportingOverflow(entry.weight)
            if overflow || sum > ChainLimits.totalWeightMax { tooHeavy = true; break }
            total = sum
        }
        let weights = next.isEmpty || tooHeavy
            ? epoch.weights : next.map { EpochWeight(key: $0.key, weight: $0.weight) }
        let following = EpochInfo(
            epoch: epoch.epoch + 1, startHeight: parameters.firstHeight(ofEpoch: epoch.epoch + 1),
            seed: EpochMath.nextSeed(previous: epoch.seed, lastCommitHash: lastCommitHash), sampleSeed: nil,
            weights: weights
        )
        try tx.put(ChainTables.epochs, following.epoch, WireValue(following))
        try tx.delete(ChainTables.epochs, epoch.epoch)
        try tx.put(ChainTables.epochHistory, epoch.epoch, WireValue(epoch))
        try tx.removeAll(ChainTables.sprintCommits)
        try tx.removeAll(ChainTables.sprintVerdicts)
    }

    /// The Sprint results of `epoch`, one input per committed participant, in key order.
    func participants(of epoch: EpochInfo) throws -> [EpochParticipantInput] {
        let prefix = epoch.epoch.storageBytes
        var inputs: [EpochParticipantInput] = []
        for commit in try tx.scanPrefix(ChainTables.sprintCommits, prefix: prefix) {
            let participant = PublicKey(Array(commit.key[8..<40]))
            var passing: UInt64 = 0
            var failing: UInt64 = 0
            var passes = 0
            for verdict in try tx.scanPrefix(ChainTables.sprintVerdicts, prefix: commit.key) {
                let verifier = PublicKey(Array(verdict.key[40..<72]))
                let weight = epoch.weight(of: verifier)
                if verdict.value == [1] {
                    passing += weight
                    passes += 1
                } else {
                    failing += weight
                }
            }
            let verified = passes >= 1 && passing > failing ? commit.value.value.count : 0
            let bonded = try tx.get(ChainTables.bonded, participant) ?? 0
            inputs.append(EpochParticipantInput(key: participant, verifiedCount: verified, bondedCollateral: bonded))
        }
        return inputs
    }
}
