/// Rebuilding a height's consensus state after a crash from its write-ahead log.
import PoUWCore

extension ConsensusCore {
    /// Rebuilds the state of `height` from its WAL `records`, in the order they were persisted (records of
    /// other heights are skipped), and returns the actions that resume it.
    ///
    /// The messages this node signed are loaded first; replaying the inputs then re-derives the state, and
    /// every vote or proposal the replay calls for is taken from those records rather than signed anew, so
    /// the node never signs a message that conflicts with one it signed before the crash (even if the
    /// attestation or the code changed since). The actions returned: `.persist` of messages the replay had
    /// to sign (the crash came before they were durable, so they were never sent), then `.commit` when the
    /// log already decides the height, or else re-broadcasts of this round's own proposal and votes, a
    /// `buildProposal` still unanswered, and the current round's pending timeouts, rescheduled in full.
    public static func restore(
        signer: any ConsensusSigner, height: UInt64, validators: ValidatorSet, timeouts: ConsensusTimeouts,
        records: [WALRecord]
    ) -> (ConsensusCore, [ConsensusAction]) {
        var core = ConsensusCore(signer: signer, height: height, validators: validators, timeouts: timeouts)
        let ownKey = signer.publicKey
        for record in records where record.height == height {
            switch record {
            case .ownVote(let vote) where vote.voter == ownKey:
                let slot = OwnSlot(round: vote.round, kind: vote.kind)
                if core.ownVotes[slot] == nil { core.ownVotes[slot] = vote }
            case .ownProposal(let proposal) where proposal.proposer == ownKey:
                if core.ownProposals[proposal.round] == nil { core.ownProposals[proposal.round] = proposal }
            default:
                break
            }
        }
        var replayed = core.start()
        for record in records where record.height == height {
            if let event = record.event { replayed += core.handle(event) }
        }
        var resume = replayed.filter { action in
            switch action {
            case .persist(.ownVote), .persist(.ownProposal): true
            default: false
            }
        }
        if let decision = core.decision {
            resume.append(.commit(decision))
            return (core, resume)
        }
        resume += core.resumeActions()
        return (core, resume)
    }

    /// What a restored core must redo: re-send this round's own messages, ask again for a block, and
    /// reschedule the timeouts that are pending in the current round.
    func resumeActions() -> [ConsensusAction] {
        var actions: [ConsensusAction] = []
        if let proposal = ownProposals[round] { actions.append(.broadcastProposal(proposal)) }
        for kind in [VoteKind.prevote, .precommit] {
            if let vote = ownVotes[OwnSlot(round: round, kind: kind)] { actions.append(.broadcastVote(vote)) }
        }
        if awaitingValue { actions.append(.buildProposal(height: height, round: round)) }
        let state = rounds[round] ?? RoundState()
        func timeout(_ timeoutStep: ConsensusStep) -> ConsensusAction {
            .scheduleTimeout(
                TimeoutEvent(step: timeoutStep, height: height, round: round),
                after: timeouts.duration(timeoutStep, round: round))
        }
        if step == .propose { actions.append(timeout(.propose)) }
        if step == .prevote && state.prevoteTimeoutScheduled { actions.append(timeout(.prevote)) }
        if state.precommitTimeoutScheduled { actions.append(timeout(.precommit)) }
        return actions
    }
}
