/// Why a transaction, block or stored chain was refused. Every case says what was wrong and, where
/// someone can act on it, what to do. The node driver halts on `stateCommitmentMismatch`: it means this
/// node computes a different state from the block's proposer (a bug or a corrupt database).
public import PoUWCore

public enum ChainError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Transactions

    /// The transaction's signature does not verify under its sender's key (or the key is not a valid
    /// Ed25519 point).
    case badSignature(transaction: Hash32)
    /// The transaction was made for another chain.
    case wrongChainId(expected: String, actual: String)
    /// The transaction's nonce is not the sender's next nonce (replay protection: each nonce once, in order).
    case wrongNonce(sender: PublicKey, expected: UInt64, actual: UInt64)
    /// The fee is below the chain's `minimumFee`.
    case feeTooLow(minimum: UInt64, actual: UInt64)
    /// The sender cannot pay `needed` (fee plus amount) from `available`.
    case insufficientBalance(sender: PublicKey, needed: UInt64, available: UInt64)
    /// The sender has only `available` bonded, less than the `requested` unbond.
    case insufficientBond(sender: PublicKey, requested: UInt64, available: UInt64)
    /// An amount (transfer, bond, unbond) of zero: it would only burn the fee.
    case zeroAmount
    /// A transfer recipient that is not a valid Ed25519 public key: nobody could ever spend it.
    case invalidRecipient(PublicKey)
    /// An arithmetic result above `UInt64.max`; the named quantity could not be updated.
    case overflow(String)
    /// A transaction or one of its fields is larger than the protocol allows.
    case transactionTooLarge(bytes: Int, bytesMax: Int)
    /// A host registration with an ill-formed field (`reason` says which and why).
    case invalidHostInfo(reason: String)

    // MARK: Sprint

    /// A Sprint commit or verdict outside its window of the epoch (`reason` says which window).
    case sprintWindowClosed(reason: String)
    /// A Sprint commit from a sender that is neither a validator of the epoch nor a registered host.
    case notSprintParticipant(PublicKey)
    /// A second Sprint commit from one sender in one epoch, or a second verdict from one verifier on
    /// one participant.
    case sprintDuplicate(reason: String)
    /// A Sprint commit with a nonce count of zero or above `sprintNoncesMax`.
    case sprintCountOutOfRange(count: UInt64, countMax: UInt64)
    /// A verdict from a key that is not among the participant's assigned verifiers.
    case notAssignedVerifier(verifier: PublicKey, participant: PublicKey)
    /// A verdict about a participant with no Sprint commit this epoch.
    case noSprintCommit(participant: PublicKey, epoch: UInt64)

    // MARK: Blocks

    /// A header field does not follow from the chain state (`reason` names the field and both values).
    case invalidHeader(reason: String)
    /// A block's transactions or size exceed the limits, or its roots do not match its contents.
    case invalidBlock(reason: String)
    /// The transaction at `index` of the block at `height` is invalid; `reason` is its error.
    case invalidTransaction(height: UInt64, index: Int, reason: String)
    /// A commit certificate does not prove the block it is attached to (`reason` says why).
    case invalidCommit(reason: String)
    /// Executing the block gives a state whose commitment is `actual`, not the header's `expected`.
    case stateCommitmentMismatch(height: UInt64, expected: Hash32, actual: Hash32)

    // MARK: Store

    /// The genesis given to open the state is invalid.
    case invalidGenesis(GenesisError)
    /// The store was initialised from another genesis.
    case genesisMismatch(stored: Hash32, given: Hash32)
    /// The store failed, or holds data this build cannot read (`detail` is the storage error).
    case storage(String)
    /// No block, commit or epoch record at the requested height or epoch.
    case notFound(String)

    public var description: String {
        switch self {
        case let .badSignature(id):
            "transaction \(id): signature does not verify under the sender's key; sign it again with the sender's key"
        case let .wrongChainId(expected, actual):
            "transaction is for chain \"\(actual)\", this chain is \"\(expected)\"; sign it with this chain's id"
        case let .wrongNonce(sender, expected, actual):
            "sender \(sender) must use nonce \(expected) next, the transaction has \(actual); "
                + "query the account's nonce and sign again"
        case let .feeTooLow(minimum, actual):
            "fee \(actual) is below the minimum fee \(minimum); raise the fee"
        case let .insufficientBalance(sender, needed, available):
            "sender \(sender) needs \(needed) (fee plus amount) but holds \(available)"
        case let .insufficientBond(sender, requested, available):
            "sender \(sender) asks to unbond \(requested) but has only \(available) bonded"
        case .zeroAmount:
            "an amount of zero moves nothing and only burns the fee; send a positive amount"
        case let .invalidRecipient(key):
            "recipient \(key) is not a valid Ed25519 public key; nobody could spend the funds; check the key"
        case let .overflow(what):
            "\(what) would exceed the largest 64-bit value"
        case let .transactionTooLarge(bytes, bytesMax):
            "transaction is \(bytes) bytes, above the maximum of \(bytesMax); shorten its fields"
        case let .invalidHostInfo(reason):
            "host registration is ill-formed: \(reason)"
        case let .sprintWindowClosed(reason):
            "Sprint message outside its window: \(reason)"
        case let .notSprintParticipant(key):
            "\(key) is neither a validator of this epoch nor a registered host; register as a host first"
        case let .sprintDuplicate(reason):
            "duplicate Sprint message: \(reason)"
        case let .sprintCountOutOfRange(count, countMax):
            "Sprint commit count \(count) must be 1 to \(countMax)"
        case let .notAssignedVerifier(verifier, participant):
            "\(verifier) is not an assigned verifier of \(participant) this epoch"
        case let .noSprintCommit(participant, epoch):
            "\(participant) made no Sprint commit in epoch \(epoch); there is nothing to judge"
        case let .invalidHeader(reason):
            "invalid block header: \(reason)"
        case let .invalidBlock(reason):
            "invalid block: \(reason)"
        case let .invalidTransaction(height, index, reason):
            "block \(height), transaction \(index): \(reason)"
        case let .invalidCommit(reason):
            "invalid commit certificate: \(reason)"
        case let .stateCommitmentMismatch(height, expected, actual):
            "block \(height): the header commits to state \(expected) but executing it gives \(actual); "
                + "this node disagrees with the network about the state; stop and verify the database "
                + "(`pouw node --verify`) or resynchronise"
        case let .invalidGenesis(error):
            error.description
        case let .genesisMismatch(stored, given):
            "the database was initialised from genesis \(stored), but the node was given genesis \(given); "
                + "use the matching genesis file or a new data directory"
        case let .storage(detail):
            "chain storage failed: \(detail)"
        case let .notFound(what):
            "not found: \(what)"
        }
    }
}
