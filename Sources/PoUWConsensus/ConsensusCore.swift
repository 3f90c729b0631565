/// Tendermint's consensus for one height as a pure state machine ("The latest gossip on BFT
/// consensus", Buchman, Kwon, Milosevic 2018, Algorithm 1). Events in, actions out; no clock, no IO.
public import PoUWCore

/// The consensus state of one height.
///
/// Contract with the driver:
/// - Call `start()` once, then `handle(_:)` for every event; perform the returned actions in order,
///   making each `.persist` durable before any later action of the same batch (write-ahead).
/// - Check signatures before handing in proposals and votes, and validate the proposal's block.
/// - After `.commit`, build the next height's core. Messages for other heights are ignored here; the
///   driver may buffer those of the next height and hand them to the next core.
/// - After a crash, rebuild with `restore(signer:height:validators:timeouts:records:)` from the
///   height's persisted records.
///
/// Differences from the paper, all on the side of liveness: a proposer that has to build a block also
/// schedules the propose timeout (so a driver that never answers cannot stall the round); the height is
/// decided on > 2/3 precommits for a block in any round even before its proposal arrives (the driver
/// fetches the block; > 1/3 honest weight validated it); and round skips (line 55) count, per sender,
/// its highest round seen, so f + 1 senders at rounds ≥ r move this node to r. Votes are weighted; an
/// equivocating validator is recorded in `equivocations`, counts once in the any-value totals and, as in
/// the paper's message log, for each of (at most two) blocks it voted for (see `RoundVotes`).
///
/// `restore(signer:height:validators:timeouts:records:)` returns a core that is already started.
///
/// Bounds: votes are kept for rounds within `pastRoundsHeldMax` below and `futureRoundsHeldMax` above the
/// current round (plus the locked and valid rounds and the current proposal's proof-of-lock round), at
/// most one per voter and kind; of rounds further ahead only each sender's latest votes are kept.
/// Evidence is capped at `equivocationsMax`.
public struct ConsensusCore {
    /// Rounds above the current one whose votes are kept in full.
    public static let futureRoundsHeldMax: UInt32 = 8
    /// Rounds below the current one whose votes are kept (the locked and valid rounds, and the proof-of-lock
    /// round of the current round's proposal, always are).
    public static let pastRoundsHeldMax: UInt32 = 64
    /// Recorded equivocations kept.
    public static let equivocationsMax = ConsensusLimits.validatorsMax

    public let validators: ValidatorSet
    public let timeouts: ConsensusTimeouts
    /// The batch commitment this node's precommits carry (prevotes carry `.empty`). Set by the driver.
    public var attestation: BatchCommitment = .empty

    public internal(set) var height: UInt64
    public internal(set) var round: UInt32 = 0
    public internal(set) var step: ConsensusStep = .propose
    public internal(set) var lockedValue: Hash32?
    public internal(set) var lockedRound: Int32 = -1
    public internal(set) var validValue: Hash32?
    public internal(set) var validRound: Int32 = -1
    /// The decision of the height, once made; the core ignores every event afterwards.
    public internal(set) var decision: CommitCertificate?
    /// Voters caught signing two different votes of one kind in one round (see `RoundVotes` on how they count).
    public internal(set) var equivocations: [Equivocation] = []

    let signer: any ConsensusSigner
    var started = false
    var rounds: [UInt32: RoundState] = [:]
    /// Votes of rounds beyond `futureRoundsHeldMax`: each sender's latest round only.
    var farVotes: [PublicKey: [Vote]] = [:]
    /// The highest round each validator sent a message for (round skips, line 55).
    var senderRounds: [PublicKey: UInt32] = [:]
    /// Set when a sender's round rose above ours: the round skip rule must be checked.
    var skipPending = false
    var ownVotes: [OwnSlot: Vote] = [:]
    var ownProposals: [UInt32: Proposal] = [:]
    /// This node proposes in the current round and waits for `.proposalValue`.
    var awaitingValue = false
    /// The actions of the event being handled.
    var pending: [ConsensusAction] = []

    /// The slot of one of this node's votes.
    struct OwnSlot: Hashable {
        let round: UInt32
        let kind: VoteKind
    }

    /// Everything known about one round.
    struct RoundState {
        var votes = RoundVotes()
        var proposal: Proposal?
        var proposalValid = false
        /// Line 34 fired (prevote timeout scheduled).
        var prevoteTimeoutScheduled = false
        /// Line 47 fired (precommit timeout scheduled).
        var precommitTimeoutScheduled = false
        /// Line 36 fired (the proposal's block got > 2/3 prevotes while we were past propose).
        var polkaHandled = false
    }

    /// A core for `height`; nothing happens until `start()`.
    public init(signer: any ConsensusSigner, height: UInt64, validators: ValidatorSet, timeouts: ConsensusTimeouts) {
        self.signer = signer
        self.height = height
        self.validators = validators
        self.timeouts = timeouts
    }

    /// This node's validator key.
    public var publicKey: PublicKey { signer.publicKey }

    /// Starts round 0 (the paper's `upon start do StartRound(0)`).
    /// - Precondition: called once, before any `handle(_:)`.
    public mutating func start() -> [ConsensusAction] {
        precondition(!started, "ConsensusCore.start() called twice")
        started = true
        pending = []
        startRound(0)
        progress()
        return takePending()
    }

    /// Handles one event and returns the actions to perform, in order. An event that changes nothing
    /// (another height, a duplicate, a non-validator, a stale timeout) returns no action.
    /// - Precondition: `start()` was called.
    public mutating func handle(_ event: ConsensusEvent) -> [ConsensusAction] {
        precondition(started, "call ConsensusCore.start() before handle(_:)")
        guard decision == nil else { return [] }
        pending = []
        let changed = switch event {
        case let .proposal(proposal, valid): receive(proposal, valid: valid)
        case .vote(let vote): receive(vote)
        case .timeout(let timeout): fire(timeout)
        case let .proposalValue(height, round, blockHash): receiveValue(height: height, round: round, blockHash)
        }
        guard changed else {
            precondition(pending.isEmpty, "an event that changed nothing produced actions")
            return []
        }
        progress()
        return [.persist(WALRecord(event))] + takePending()
    }

    /// The votes this node signed at this height, by round then kind (for the driver to re-send).
    public var signedVotes: [Vote] {
        ownVotes.values.sorted { ($0.round, $0.kind.rawValue) < ($1.round, $1.kind.rawValue) }
    }

    /// The proposals this node signed at this height, by round.
    public var signedProposals: [Proposal] { ownProposals.values.sorted { $0.round < $1.round } }

    /// This node's messages that peers may still need, for a driver that re-sends what the network may
    /// have lost: its proposal of the current round, and its votes of the current and previous rounds,
    /// of its valid round and of the proof-of-lock round of the current round's proposal (the votes a
    /// proposal with polRound ≥ 0 needs, lines 28-33).
    public var messagesToResend: (proposals: [Proposal], votes: [Vote]) {
        var wanted: Set<UInt32> = [round]
        if round > 0 { wanted.insert(round - 1) }
        if validRound >= 0 { wanted.insert(UInt32(validRound)) }
        if let polRound = rounds[round]?.proposal?.polRound, polRound >= 0 { wanted.insert(UInt32(polRound)) }
        return (ownProposals[round].map { [$0] } ?? [], signedVotes.filter { wanted.contains($0.round) })
    }

    /// The proposal received (or made) for `round` and whether its block was valid.
    public func proposal(round: UInt32) -> (proposal: Proposal, valid: Bool)? {
        guard let state = rounds[round], let proposal = state.proposal else { return nil }
        return (proposal, state.proposalValid)
    }

    mutating func takePending() -> [ConsensusAction] {
        defer { pending = [] }
        return pending
    }
}
