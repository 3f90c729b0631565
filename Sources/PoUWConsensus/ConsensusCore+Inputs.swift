/// How the core takes in proposals, votes, timeouts and the driver's proposal values. Each returns
/// whether the state changed (only then is the event logged and the rules evaluated).
import PoUWCore

extension ConsensusCore {
    /// The highest round a message may name (rounds are compared with the signed `polRound`).
    static let roundMax = UInt32(Int32.max)

    mutating func receive(_ proposal: Proposal, valid: Bool) -> Bool {
        guard proposal.height == height, proposal.round <= ConsensusCore.roundMax,
              proposal.polRound >= -1, proposal.polRound < Int32(proposal.round),
              proposal.proposer == validators.proposer(height: height, round: proposal.round)
        else { return false }
        let noted = noteSender(proposal.proposer, round: proposal.round)
        guard holds(round: proposal.round) else { return noted }
        guard rounds[proposal.round]?.proposal == nil else { return noted }
        rounds[proposal.round, default: RoundState()].proposal = proposal
        rounds[proposal.round, default: RoundState()].proposalValid = valid
        return true
    }

    mutating func receive(_ vote: Vote) -> Bool {
        guard vote.height == height, vote.round <= ConsensusCore.roundMax, validators.contains(vote.voter) else {
            return false
        }
        let noted = noteSender(vote.voter, round: vote.round)
        if holds(round: vote.round) { return count(vote) || noted }
        guard vote.round > round else { return noted }
        var latest = farVotes[vote.voter] ?? []
        if let first = latest.first, first.round > vote.round { return noted }
        if let first = latest.first, first.round == vote.round {
            guard !latest.contains(where: { $0.kind == vote.kind }) else { return noted }
            latest.append(vote)
        } else {
            latest = [vote]
        }
        farVotes[vote.voter] = latest
        return true
    }

    /// Lines 57-67: OnTimeoutPropose, OnTimeoutPrevote, OnTimeoutPrecommit.
    mutating func fire(_ timeout: TimeoutEvent) -> Bool {
        guard timeout.height == height, timeout.round == round else { return false }
        switch timeout.step {
        case .propose:
            guard step == .propose else { return false }
            castVote(.prevote, nil)
            step = .prevote
        case .prevote:
            guard step == .prevote else { return false }
            castVote(.precommit, nil)
            step = .precommit
        case .precommit:
            guard round < ConsensusCore.roundMax else { return false }
            startRound(round + 1)
        }
        return true
    }

    /// The block the driver built for `buildProposal` (lines 18-19).
    mutating func receiveValue(height: UInt64, round: UInt32, _ blockHash: Hash32) -> Bool {
        guard height == self.height, round == self.round, awaitingValue, step == .propose else { return false }
        awaitingValue = false
        propose(blockHash)
        return true
    }

    /// Counts a vote of a held round (see `RoundVotes` on equivocations, which it records). Whether it
    /// was counted.
    mutating func count(_ vote: Vote) -> Bool {
        let weight = validators.weight(of: vote.voter)
        guard weight > 0 else { return false }
        switch rounds[vote.round, default: RoundState()].votes.insert(vote, weight: weight) {
        case .added:
            return true
        case .duplicate:
            return false
        case let .conflict(first, counted):
            let evidence = Equivocation(first: first, second: vote)
            if equivocations.count < ConsensusCore.equivocationsMax && !equivocations.contains(evidence) {
                equivocations.append(evidence)
            }
            return counted
        }
    }

    /// Whether messages of `round` are kept in full.
    func holds(round messageRound: UInt32) -> Bool {
        if rounds[messageRound] != nil { return true }
        if let polRound = rounds[round]?.proposal?.polRound, polRound == Int32(messageRound) { return true }
        if messageRound >= round { return messageRound - round <= ConsensusCore.futureRoundsHeldMax }
        return round - messageRound <= ConsensusCore.pastRoundsHeldMax
    }

    /// Raises the sender's highest seen round; whether it rose.
    mutating func noteSender(_ sender: PublicKey, round messageRound: UInt32) -> Bool {
        if let seen = senderRounds[sender], seen >= messageRound { return false }
        senderRounds[sender] = messageRound
        if messageRound > round { skipPending = true }
        return true
    }
}
