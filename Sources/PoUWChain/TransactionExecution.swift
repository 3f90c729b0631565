/// The state transition of one transaction (docs/protocol.md, "Transactions"). Every check runs
/// against staged reads; the writes reach the store only when all checks passed.
import PoUWCore
import PoUWCrypto
import PoUWStorage

/// Where a transaction executes: the block's height, epoch and proposer, and the chain's rules.
struct TransactionContext {
    let chainId: String
    let parameters: ChainParameters
    let height: UInt64
    let proposer: PublicKey
    /// The epoch of `height`, as the state holds it when the block begins.
    let epoch: EpochInfo
}

enum TransactionExecution {
    /// Executes `signed` in `tx`. Throws `ChainError` (nothing written) or a storage error.
    static func execute(_ signed: SignedTransaction, context: TransactionContext, in tx: any WriteTransaction) throws {
        let transaction = signed.transaction
        guard transaction.chainId == context.chainId else {
            throw ChainError.wrongChainId(expected: context.chainId, actual: transaction.chainId)
        }
        try signed.verifySignature()
        guard transaction.fee >= context.parameters.minimumFee else {
            throw ChainError.feeTooLow(minimum: context.parameters.minimumFee, actual: transaction.fee)
        }
        let staging = Staging(tx)
        let sender = transaction.sender
        var account = try staging.get(ChainTables.accounts, sender)?.value ?? .empty
        guard transaction.nonce == account.nonce else {
            throw ChainError.wrongNonce(sender: sender, expected: account.nonce, actual: transaction.nonce)
        }
        let spent = try add(transaction.fee, spendAmount(transaction.body), "fee plus amount")
        guard account.balance >= spent else {
            throw ChainError.insufficientBalance(sender: sender, needed: spent, available: account.balance)
        }
        account.balance -= spent
        account.nonce += 1
        staging.put(ChainTables.accounts, sender, WireValue(account))

        try executeBody(transaction, context: context, staging: staging)

        var proposer = try staging.get(ChainTables.accounts, context.proposer)?.value ?? .empty
        proposer.balance = try add(proposer.balance, transaction.fee, "the proposer's balance")
        staging.put(ChainTables.accounts, context.proposer, WireValue(proposer))
        try staging.flush()
    }

    /// What the body takes from the sender's balance besides the fee.
    private static func spendAmount(_ body: TransactionBody) -> UInt64 {
        switch body {
        case let .transfer(_, amount), let .bond(amount): amount
        case .unbond, .registerHost, .sprintCommit, .sprintVerdict: 0
        }
    }

    private static func executeBody(
        _ transaction: Transaction, context: TransactionContext, staging: Staging
    ) throws {
        let sender = transaction.sender
        switch transaction.body {
        case let .transfer(to, amount):
            guard amount > 0 else { throw ChainError.zeroAmount }
            guard Ed25519.isValidPublicKey(to) else { throw ChainError.invalidRecipient(to) }
            var recipient = try staging.get(ChainTables.accounts, to)?.value ?? .empty
            recipient.balance = try add(recipient.balance, amount, "the recipient's balance")
            staging.put(ChainTables.accounts, to, WireValue(recipient))
        case let .bond(amount):
            guard amount > 0 else { throw ChainError.zeroAmount }
            let bonded = try staging.get(ChainTables.bonded, sender) ?? 0
            staging.put(ChainTables.bonded, sender, try add(bonded, amount, "the bonded collateral"))
        case let .unbond(amount):
            guard amount > 0 else { throw ChainError.zeroAmount }
            let bonded = try staging.get(ChainTables.bonded, sender) ?? 0
            guard bonded >= amount else {
                throw ChainError.insufficientBond(sender: sender, requested: amount, available: bonded)
            }
            let release = try add(context.height, context.parameters.unbondingBlocks, "the release height")
            staging.put(ChainTables.bonded, sender, bonded - amount)
            let key = ChainTables.unbondingKey(release: release, sender: sender, nonce: transaction.nonce)
            staging.put(ChainTables.unbonding, key, amount)
        case let .registerHost(info):
            if let reason = info.violation { throw ChainError.invalidHostInfo(reason: reason) }
            staging.put(ChainTables.hosts, sender, WireValue(info))
        case let .sprintCommit(epoch, root, count):
            try commitSprint(sender: sender, epoch: epoch, root: root, count: count, context: context, staging: staging)
        case let .sprintVerdict(epoch, participant, passed):
            try judgeSprint(
                verifier: sender, epoch: epoch, participant: participant, passed: passed, context: context,
                staging: staging
            )
        }
    }

    private static func commitSprint(
        sender: PublicKey, epoch: UInt64, root: Hash32, count: UInt64, context: TransactionContext, staging: Staging
    ) throws {
        let parameters = context.parameters
        guard epoch == context.epoch.epoch else {
            throw ChainError.sprintWindowClosed(
                reason: "the commit is for epoch \(epoch), block \(context.height) is in epoch \(context.epoch.epoch)"
            )
        }
        let last = parameters.sprintLastHeight(ofEpoch: epoch)
        guard context.height <= last else {
            throw ChainError.sprintWindowClosed(
                reason: "commits of epoch \(epoch) close after height \(last); this is height \(context.height)"
            )
        }
        guard count >= 1, count <= parameters.sprintNoncesMax else {
            throw ChainError.sprintCountOutOfRange(count: count, countMax: parameters.sprintNoncesMax)
        }
        let isValidator = context.epoch.weight(of: sender) > 0
        guard try isValidator || staging.get(ChainTables.hosts, sender) != nil else {
            throw ChainError.notSprintParticipant(sender)
        }
        let key = ChainTables.sprintCommitKey(epoch: epoch, participant: sender)
        guard try staging.get(ChainTables.sprintCommits, key) == nil else {
            throw ChainError.sprintDuplicate(reason: "\(sender) already committed in epoch \(epoch)")
        }
        let record = SprintCommitRecord(root: root, count: count, height: context.height)
        staging.put(ChainTables.sprintCommits, key, WireValue(record))
    }

    private static func judgeSprint(
        verifier: PublicKey, epoch: UInt64, participant: PublicKey, passed: Bool, context: TransactionContext,
        staging: Staging
    ) throws {
        let parameters = context.parameters
        guard epoch == context.epoch.epoch else {
            throw ChainError.sprintWindowClosed(
                reason: "the verdict is for epoch \(epoch), block \(context.height) is in epoch \(context.epoch.epoch)"
            )
        }
        guard context.height > parameters.sprintLastHeight(ofEpoch: epoch), let sampleSeed = context.epoch.sampleSeed
        else {
            throw ChainError.sprintWindowClosed(
                reason: "verdicts of epoch \(epoch) open after height \(parameters.sprintLastHeight(ofEpoch: epoch))"
            )
        }
        let commitKey = ChainTables.sprintCommitKey(epoch: epoch, participant: participant)
        guard try staging.get(ChainTables.sprintCommits, commitKey) != nil else {
            throw ChainError.noSprintCommit(participant: participant, epoch: epoch)
        }
        let assigned = SprintSampling.verifiers(
            sampleSeed: sampleSeed, participant: participant, weights: context.epoch.weightTuples,
            count: Int(parameters.sprintVerifiers)
        )
        guard assigned.contains(verifier) else {
            throw ChainError.notAssignedVerifier(verifier: verifier, participant: participant)
        }
        let key = ChainTables.verdictKey(epoch: epoch, participant: participant, verifier: verifier)
        guard try staging.get(ChainTables.sprintVerdicts, key) == nil else {
            throw ChainError.sprintDuplicate(reason: "\(verifier) already judged \(participant) in epoch \(epoch)")
        }
        staging.put(ChainTables.sprintVerdicts, key, [passed ? 1 : 0])
    }

    /// `a + b`, or `ChainError.overflow(what)`.
    static func add(_ a: UInt64, _ b: UInt64, _ what: String) throws(ChainError) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw .overflow(what) }
        return sum
    }
}
