/// Runs this node's Sprint and its Sprint checks off the loop thread, and keeps its commitments (also
/// on disk, so proofs survive a restart within the epoch).
import Foundation
import PoUWCore
import PoUWWork

final class SprintService: @unchecked Sendable {
    private let queue = DispatchQueue(label: "pouw.sprint")
    private let lock = NSLock()
    private var commitments: [UInt64: SprintCommitment] = [:]
    private var cancelled = false
    /// Epochs whose Sprint this node started (loop thread only).
    var started: Set<UInt64> = []
    /// Epochs whose Sprint checks this node has started (loop thread only).
    var verifiedEpochs: Set<UInt64> = []
    /// Where commitments are saved; nil: memory only.
    var directory: String?

    static let epochsKept: UInt64 = 3

    func cancel() {
        lock.withLock { cancelled = true }
    }

    private var isCancelled: Bool { lock.withLock { cancelled } }

    func commitment(epoch: UInt64) -> SprintCommitment? {
        if let kept = lock.withLock({ commitments[epoch] }) { return kept }
        guard let directory, let data = FileManager.default.contents(atPath: Self.path(directory, epoch)),
              data.count % Hash32.byteCount == 0
        else { return nil }
        let bytes = [UInt8](data)
        let leaves = stride(from: 0, to: bytes.count, by: Hash32.byteCount).map {
            Hash32(Array(bytes[$0..<$0 + Hash32.byteCount]))
        }
        let rebuilt = SprintCommitment(leaves: leaves)
        lock.withLock { commitments[epoch] = rebuilt }
        return rebuilt
    }

    func proofs(epoch: UInt64, nonces: [UInt64]) -> [SprintProof] {
        guard let commitment = commitment(epoch: epoch) else { return [] }
        return SprintProver.proofs(commitment, nonces: nonces.filter { $0 < commitment.count }) ?? []
    }

    static func path(_ directory: String, _ epoch: UInt64) -> String { "\(directory)/sprint-\(epoch).leaves" }

    /// Computes the Sprint of `epoch` on the Sprint queue until `noncesMax` or `deadline` (monotonic ns),
    /// then calls `completion` (on the Sprint queue) with the commitment.
    func run(
        work: any SprintWork, epoch: UInt64, seed: Hash32, key: PublicKey, noncesMax: UInt64,
        deadline: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<SprintCommitment, any Error>) -> Void
    ) {
        queue.async { [self] in
            let result = Result { () throws -> SprintCommitment in
                try SprintProver.run(work: work, epochSeed: seed, publicKey: key, noncesMax: noncesMax) {
                    self.isCancelled || deadline()
                }
            }
            if case .success(let commitment) = result {
                lock.withLock {
                    commitments[epoch] = commitment
                    commitments = commitments.filter { $0.key + Self.epochsKept > epoch }
                }
                if let directory {
                    let bytes = commitment.leaves.flatMap(\.bytes)
                    try? Data(bytes).write(to: URL(fileURLWithPath: Self.path(directory, epoch)), options: .atomic)
                    if epoch >= Self.epochsKept {
                        try? FileManager.default.removeItem(atPath: Self.path(directory, epoch - Self.epochsKept))
                    }
                }
            }
            completion(result)
        }
    }

    /// Checks a participant's proofs on the Sprint queue: `.success(passed)`, or `.failure` when this
    /// node's own engine failed (then it has no verdict to give).
    func check(
        work: any SprintWork, seed: Hash32, participant: PublicKey, root: Hash32, count: UInt64, sampled: [UInt64],
        proofs: [SprintProof], completion: @escaping @Sendable (Result<Bool, any Error>) -> Void
    ) {
        queue.async {
            completion(Result {
                try SprintVerifier.check(
                    work: work, epochSeed: seed, participant: participant, root: root, count: count, sampled: sampled,
                    proofs: proofs
                )
            })
        }
    }
}
