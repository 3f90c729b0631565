/// What goes into the consensus core (events) and what comes out (actions), and the signer it uses.
public import PoUWCore

/// Signs this node's proposals and votes. Production wraps the node's Ed25519 key (PoUWCrypto's
/// domain-separated signing over `signingPayload`); tests use a fake. Must be deterministic or at least
/// never fail: the core signs synchronously while it handles an event.
public protocol ConsensusSigner {
    /// The validator key of this node.
    var publicKey: PublicKey { get }
    func sign(_ proposal: Proposal) -> Signature
    func sign(_ vote: Vote) -> Signature
}

/// An input of the consensus core. The driver checks signatures before it hands messages in.
public enum ConsensusEvent: Sendable, Hashable {
    /// A proposal whose signature the driver checked; `valid` is the paper's valid(v): the driver has
    /// the block and it passed validation.
    case proposal(Proposal, valid: Bool)
    /// A prevote or precommit whose signature the driver checked.
    case vote(Vote)
    /// A timeout the core scheduled has expired.
    case timeout(TimeoutEvent)
    /// The driver's answer to `ConsensusAction.buildProposal`: the hash of the block it built (and keeps).
    case proposalValue(height: UInt64, round: UInt32, blockHash: Hash32)
}

/// An output of the consensus core, for the driver to perform in order.
public enum ConsensusAction: Sendable, Equatable {
    /// Write-ahead: make `record` durable before performing any later action of the same batch.
    case persist(WALRecord)
    /// Send this node's signed proposal (with its block) to the peers.
    case broadcastProposal(Proposal)
    /// Send this node's signed vote to the peers.
    case broadcastVote(Vote)
    /// Hand `event` back as `ConsensusEvent.timeout` after `after` nanoseconds.
    case scheduleTimeout(TimeoutEvent, after: Nanoseconds)
    /// This node proposes and has no valid value: build a block and answer `.proposalValue`.
    case buildProposal(height: UInt64, round: UInt32)
    /// The height is decided. The certificate holds the > 2/3 precommits seen, with signatures. The
    /// driver fetches the block if it does not hold it, applies it and starts the next height's core.
    case commit(CommitCertificate)
}
