/// Re-execution of a stored chain from genesis: the check behind `pouw node --verify` and the tests'
/// proof that applying the same blocks always gives the same states.
public import PoUWStorage

/// What a replay did.
public struct ReplayReport: Hashable, Sendable {
    /// Blocks re-applied (heights 1 ... `head.height`).
    public var blocks: UInt64
    /// The head the replay reached; equal to the source's.
    public var head: ChainHead
}

extension ChainState {
    /// Re-applies every block stored in `source`, with its certificate, to a fresh chain in `store`
    /// (default: a new `MemoryStore`), opened from the same genesis. Each block's state commitment is
    /// checked as it is applied; at the end the heads must be equal.
    /// - Throws: `.stateCommitmentMismatch` at the first height whose state differs; `.notFound` when a
    ///   block or certificate is missing; the error of any block that no longer applies.
    public static func replay(_ source: ChainState, into store: (any KeyValueStore)? = nil) throws(ChainError)
        -> ReplayReport
    {
        let target = try ChainState.open(store: store ?? MemoryStore(tables: tables), genesis: source.genesis)
        let sourceHead = try source.head()
        let start = try target.head().height
        guard start == 0 else {
            throw .storage("a replay needs an empty target store; this one is at height \(start)")
        }
        var height: UInt64 = 1
        while height <= sourceHead.height {
            guard let block = try source.block(at: height) else { throw .notFound("block \(height)") }
            guard let commit = try source.commit(at: height) else { throw .notFound("commit of block \(height)") }
            try target.apply(block, commit: commit)
            height += 1
        }
        let head = try target.head()
        guard head == sourceHead else {
            throw .stateCommitmentMismatch(
                height: head.height, expected: sourceHead.stateCommitment, actual: head.stateCommitment
            )
        }
        return ReplayReport(blocks: sourceHead.height, head: head)
    }

    /// The start-up check (`pouw node --verify`): the stored state must hash to the head's commitment,
    /// and re-applying every stored block from genesis (`replay`) must reach the same head.
    /// - Throws: `.stateCommitmentMismatch` (stored state damaged, or a block no longer gives its
    ///   commitment), or the error of the first block that no longer applies.
    public func verify() throws(ChainError) -> ReplayReport {
        let head = try head()
        let recomputed = try recomputeStateCommitment()
        guard recomputed == head.stateCommitment else {
            throw .stateCommitmentMismatch(height: head.height, expected: head.stateCommitment, actual: recomputed)
        }
        return try Self.replay(self)
    }
}
