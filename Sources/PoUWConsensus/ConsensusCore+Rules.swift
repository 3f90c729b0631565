/// The upon-rules of Algorithm 1, evaluated until none fires, and StartRound.
import PoUWCore

extension ConsensusCore {
    /// Applies rules until the state is stable. The decision (line 49) comes first, then round skips
    /// (line 55), then the rules of the current round in the paper's order.
    mutating func progress() {
        while decision == nil {
            if decide() { return }
            if skipPending, let target = skipTarget() {
                startRound(target)
                continue
            }
            skipPending = false
            if applyRoundRule() { continue }
            return
        }
    }

    /// Line 49 (and > 2/3 precommits for a block before its proposal): decide in any held round.
    mutating func decide() -> Bool {
        let quorum = validators.quorumWeight
        for candidate in rounds.keys.sorted() {
            guard let votes = rounds[candidate]?.votes, let block = votes.quorumBlock(.precommit, quorum: quorum) else {
                continue
            }
            let certificate = CommitCertificate(
                height: height, round: candidate, blockHash: block, precommits: votes.precommits(for: block))
            decision = certificate
            pending.append(.commit(certificate))
            return true
        }
        return false
    }

    /// Line 55: the highest round r above ours such that senders at rounds ≥ r hold > 1/3 of the weight.
    func skipTarget() -> UInt32? {
        let ahead = senderRounds.filter { $0.value > round }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        var weight: UInt64 = 0
        for (sender, senderRound) in ahead {
            weight += validators.weight(of: sender)
            if weight >= validators.oneThirdWeight { return senderRound }
        }
        return nil
    }

    /// Applies the first rule of the current round that fires (lines 22-47); whether one did.
    mutating func applyRoundRule() -> Bool {
        let state = rounds[round, default: RoundState()]
        let quorum = validators.quorumWeight
        if step == .propose, let proposal = state.proposal {
            let block = proposal.blockHash
            if proposal.polRound == -1 {
                // Lines 22-27.
                let accept = state.proposalValid && (lockedRound == -1 || lockedValue == block)
                castVote(.prevote, accept ? block : nil)
                step = .prevote
                return true
            }
            let polRound = UInt32(proposal.polRound)
            if let votes = rounds[polRound]?.votes, votes.weight(.prevote, for: block) >= quorum {
                // Lines 28-33.
                let accept = state.proposalValid && (lockedRound <= proposal.polRound || lockedValue == block)
                castVote(.prevote, accept ? block : nil)
                step = .prevote
                return true
            }
        }
        if step == .prevote && !state.prevoteTimeoutScheduled && state.votes.totalWeight(.prevote) >= quorum {
            // Lines 34-35.
            rounds[round, default: RoundState()].prevoteTimeoutScheduled = true
            schedule(.prevote)
            return true
        }
        if step >= .prevote && !state.polkaHandled, let proposal = state.proposal, state.proposalValid,
           state.votes.weight(.prevote, for: proposal.blockHash) >= quorum
        {
            // Lines 36-43.
            rounds[round, default: RoundState()].polkaHandled = true
            if step == .prevote {
                lockedValue = proposal.blockHash
                lockedRound = Int32(round)
                castVote(.precommit, proposal.blockHash)
                step = .precommit
            }
            validValue = proposal.blockHash
            validRound = Int32(round)
            return true
        }
        if step == .prevote && state.votes.weight(.prevote, for: nil) >= quorum {
            // Lines 44-46.
            castVote(.precommit, nil)
            step = .precommit
            return true
        }
        if !state.precommitTimeoutScheduled && state.votes.totalWeight(.precommit) >= quorum {
            // Lines 47-48.
            rounds[round, default: RoundState()].precommitTimeoutScheduled = true
            schedule(.precommit)
            return true
        }
        return false
    }

    /// Lines 11-21: StartRound. Also drops rounds that fell out of the held window and moves kept
    /// far-ahead votes into the window.
    mutating func startRound(_ newRound: UInt32) {
        round = newRound
        step = .propose
        awaitingValue = false
        prune()
        _ = rounds[newRound, default: RoundState()]
        for voter in farVotes.keys.sorted() {
            guard let votes = farVotes[voter], let first = votes.first else { continue }
            if holds(round: first.round) {
                for vote in votes { _ = count(vote) }
                farVotes[voter] = nil
            } else if first.round < newRound {
                farVotes[voter] = nil
            }
        }
        if validators.proposer(height: height, round: newRound) == signer.publicKey {
            if let validValue {
                propose(validValue)
                return
            }
            awaitingValue = true
            pending.append(.buildProposal(height: height, round: newRound))
        }
        schedule(.propose)
    }

    /// Forgets rounds (and own votes) too far below the current round, except the locked and valid rounds.
    mutating func prune() {
        let (current, locked, valid) = (round, lockedRound, validRound)
        let keep = { (candidate: UInt32) -> Bool in
            candidate >= current || current - candidate <= ConsensusCore.pastRoundsHeldMax
                || Int32(candidate) == locked || Int32(candidate) == valid
        }
        guard rounds.keys.contains(where: { !keep($0) }) else { return }
        rounds = rounds.filter { keep($0.key) }
        ownVotes = ownVotes.filter { keep($0.key.round) }
        ownProposals = ownProposals.filter { keep($0.key) }
    }

    /// Line 19: broadcasts this node's proposal of `blockHash` for the current round, with the valid
    /// round as proof-of-lock round. Re-sends the proposal it already signed for this round, if any.
    mutating func propose(_ blockHash: Hash32) {
        let proposal: Proposal
        if let signed = ownProposals[round] {
            proposal = signed
        } else {
            var unsigned = Proposal(
                height: height, round: round, polRound: validRound, blockHash: blockHash, proposer: signer.publicKey)
            unsigned.signature = signer.sign(unsigned)
            proposal = unsigned
            ownProposals[round] = proposal
            pending.append(.persist(.ownProposal(proposal)))
        }
        pending.append(.broadcastProposal(proposal))
        if rounds[round, default: RoundState()].proposal == nil {
            rounds[round, default: RoundState()].proposal = proposal
            rounds[round, default: RoundState()].proposalValid = true
        }
    }

    /// Broadcasts this node's vote of `kind` for the current round and counts it. A vote already signed
    /// for that slot (before a crash) is re-sent instead of signing another: never two votes per slot.
    /// A node outside the height's validator set follows the height but never votes.
    mutating func castVote(_ kind: VoteKind, _ blockHash: Hash32?) {
        guard validators.contains(signer.publicKey) else { return }
        let slot = OwnSlot(round: round, kind: kind)
        let vote: Vote
        if let signed = ownVotes[slot] {
            vote = signed
        } else {
            var unsigned = Vote(
                kind: kind, height: height, round: round, blockHash: blockHash, voter: signer.publicKey,
                attestation: kind == .precommit ? attestation : .empty)
            unsigned.signature = signer.sign(unsigned)
            vote = unsigned
            ownVotes[slot] = vote
            pending.append(.persist(.ownVote(vote)))
        }
        pending.append(.broadcastVote(vote))
        _ = count(vote)
    }

    mutating func schedule(_ timeoutStep: ConsensusStep) {
        let event = TimeoutEvent(step: timeoutStep, height: height, round: round)
        pending.append(.scheduleTimeout(event, after: timeouts.duration(timeoutStep, round: round)))
    }
}
