/// Proposing, validating and applying blocks.
public import PoUWConsensus
public import PoUWCore
import PoUWStorage
import PoUWWire

extension ChainState {
    /// Thrown inside a write closure to abort it after a dry run.
    private struct Rollback: Error {}

    /// Builds the block at `height` proposed by `proposer`: executes `candidates` in order on a scratch
    /// transaction (always rolled back), skipping every one that fails, and stopping at the chain's
    /// transaction count or `ChainLimits.blockBytesMax`. Fills the transactions root and the state
    /// commitment. The caller passes `height` = head + 1, a `time` after the head's, and the
    /// certificate of the head block as `lastCommit` (`nil` at height 1).
    /// - Throws: `.invalidHeader` / `.invalidCommit` when these do not fit the head; `.storage`.
    public func proposeBlock(
        height: UInt64, time: UInt64, proposer: PublicKey, candidates: [SignedTransaction],
        lastCommit: CommitCertificate?
    ) throws(ChainError) -> Block {
        var result: Block? = nil
        try dryRunNextBlock(height: height, time: time, proposer: proposer, lastCommit: lastCommit) {
            execution, header, context, tx in
            var header = header
            let countMax = Int(parameters.transactionsPerBlockMax)
            var bytes = Block(header: header, transactions: [], lastCommit: lastCommit).encodedByteCount
                + WireDecoder.varintBytesMax
            var included: [SignedTransaction] = []
            for candidate in candidates where included.count < countMax {
                let size = candidate.encodedByteCount - 1
                guard bytes + size <= ChainLimits.blockBytesMax else { continue }
                do {
                    try TransactionExecution.execute(candidate, context: context, in: tx)
                } catch is ChainError {
                    continue
                }
                included.append(candidate)
                bytes += size
            }
            try execution.end(header)
            header.transactionsRoot = Block.transactionsRoot(included)
            header.stateCommitment = try StateCommitment.compute(in: tx, genesisHash: genesisHash, height: height)
            result = Block(header: header, transactions: included, lastCommit: lastCommit)
        }
        guard let result else { preconditionFailure("a dry run that did not throw produced its block") }
        return result
    }

    /// Checks that `block` is the valid next block: header against the state, contents, every
    /// transaction, and the state commitment. Nothing persists.
    /// - Throws: the first problem as a `ChainError` (`.stateCommitmentMismatch` when only the
    ///   commitment differs).
    public func validate(_ block: Block) throws(ChainError) {
        try dryRun { tx in _ = try execute(block, in: tx) }
    }

    /// Applies `block`, made final by `commit`, in one write transaction: everything `validate` checks,
    /// plus the certificate's structure (for this block, more than 2/3 of its epoch's weight; signatures
    /// are the caller's job, `CommitCertificate.verifySignatures`). Stores the block, the certificate and
    /// the new head. On any error nothing changes.
    public func apply(_ block: Block, commit: CommitCertificate) throws(ChainError) {
        try Self.mapped {
            try store.write { tx in
                let epochNumber = parameters.epoch(ofHeight: max(block.header.height, 1))
                guard let epoch = try BlockExecution.epochInfo(epochNumber, in: tx) else {
                    throw ChainError.invalidHeader(reason: "height \(block.header.height) is beyond the next epoch")
                }
                try commit.checkStructure(
                    height: block.header.height, blockHash: block.hash, weights: epoch.weightTuples
                )
                let head = try execute(block, in: tx)
                try tx.put(ChainTables.blocks, head.height, WireValue(block))
                try tx.put(ChainTables.commits, head.height, WireValue(commit))
                try BlockExecution.writeHead(head, in: tx)
            }
        }
    }

    /// Executes `block` in `tx` and returns the head it leads to.
    private func execute(_ block: Block, in tx: any WriteTransaction) throws -> ChainHead {
        let execution = BlockExecution(chainId: chainId, parameters: parameters, genesisHash: genesisHash, tx: tx)
        let header = block.header
        let head = try BlockExecution.head(in: tx)
        let checked = try execution.checkHeader(header, lastCommit: block.lastCommit, head: head)
        try execution.checkContents(block)
        let epoch = try execution.begin(header, epoch: checked)
        let context = TransactionContext(
            chainId: chainId, parameters: parameters, height: header.height, proposer: header.proposer, epoch: epoch
        )
        for (index, transaction) in block.transactions.enumerated() {
            do {
                try TransactionExecution.execute(transaction, context: context, in: tx)
            } catch let error as ChainError {
                throw ChainError.invalidTransaction(height: header.height, index: index, reason: error.description)
            }
        }
        try execution.end(header)
        let commitment = try StateCommitment.compute(in: tx, genesisHash: genesisHash, height: header.height)
        guard commitment == header.stateCommitment else {
            throw ChainError.stateCommitmentMismatch(
                height: header.height, expected: header.stateCommitment, actual: commitment
            )
        }
        return ChainHead(
            height: header.height, hash: block.hash, stateCommitment: commitment,
            timeMilliseconds: header.timeMilliseconds
        )
    }

    /// Runs `body` in a write transaction that is always aborted.
    /// Executes `candidates` in order on the head state as the next block's transactions would be (the
    /// mempool's admission check); nothing persists. Returns, for each, nil when it applies after the ones
    /// before it, or why it does not (the state then continues without it).
    public func dryRunTransactions(_ candidates: [SignedTransaction], proposer: PublicKey) throws(ChainError)
        -> [ChainError?]
    {
        let head = try head()
        let lastCommit = head.height == 0 ? nil : try commit(at: head.height)
        var outcomes: [ChainError?] = []
        try dryRunNextBlock(
            height: head.height + 1, time: head.timeMilliseconds + 1, proposer: proposer, lastCommit: lastCommit
        ) { _, _, context, tx in
            for candidate in candidates {
                do {
                    try TransactionExecution.execute(candidate, context: context, in: tx)
                    outcomes.append(nil)
                } catch let error as ChainError {
                    outcomes.append(error)
                }
            }
        }
        return outcomes
    }

    /// Opens the block after the head (header checks, epoch bookkeeping) in a transaction that is rolled
    /// back, and hands `body` its execution, header, transaction context and the transaction.
    private func dryRunNextBlock(
        height: UInt64, time: UInt64, proposer: PublicKey, lastCommit: CommitCertificate?,
        _ body: (BlockExecution, BlockHeader, TransactionContext, any WriteTransaction) throws -> Void
    ) throws(ChainError) {
        try dryRun { tx in
            let execution = BlockExecution(chainId: chainId, parameters: parameters, genesisHash: genesisHash, tx: tx)
            let head = try BlockExecution.head(in: tx)
            let header = BlockHeader(
                chainId: chainId, height: height, timeMilliseconds: time, previousHash: head.hash, proposer: proposer,
                epoch: height >= 1 ? parameters.epoch(ofHeight: height) : 0, stateCommitment: .zero,
                transactionsRoot: .zero, receiptsRoot: .zero, lastCommitHash: Block.lastCommitHash(lastCommit)
            )
            let checked = try execution.checkHeader(header, lastCommit: lastCommit, head: head)
            let epoch = try execution.begin(header, epoch: checked)
            let context = TransactionContext(
                chainId: chainId, parameters: parameters, height: height, proposer: proposer, epoch: epoch
            )
            try body(execution, header, context, tx)
        }
    }

    private func dryRun(_ body: (any WriteTransaction) throws -> Void) throws(ChainError) {
        try Self.mapped {
            do {
                try store.write { tx in
                    try body(tx)
                    throw Rollback()
                }
            } catch is Rollback {
                return
            }
        }
    }
}
