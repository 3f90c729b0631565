import PoUWConsensus
import PoUWCore
import Testing

/// Step-table tests of `ConsensusCore` against Algorithm 1 of "The latest gossip on BFT consensus"
/// (Buchman, Kwon, Milosevic 2018). Each test names the pseudocode lines it covers.
@Suite struct ConsensusCoreTests {
    let h: UInt64 = 7

    /// Algorithm 1, lines 11-19: the proposer without a valid value asks the driver for a block, then
    /// proposes it with polRound -1 and prevotes it (line 22 applied to its own proposal).
    @Test func proposerWithoutValidValueBuildsAndProposes() {
        let me = fourEqual.proposer(height: h, round: 0)
        var node = Harness(me: me, height: h)
        #expect(node.log.buildRequests == [0])
        let actions = node.feed(.proposalValue(height: h, round: 0, blockHash: block(9)))
        #expect(actions.first == .persist(.proposalValue(height: h, round: 0, blockHash: block(9))))
        let sent = actions.proposals
        #expect(sent.count == 1 && sent[0].blockHash == block(9) && sent[0].polRound == -1 && sent[0].proposer == me)
        #expect(actions.records.contains(.ownProposal(sent[0])))
        #expect(actions.votes.map(\.blockHash) == [block(9)])
        #expect(node.core.step == .prevote)
        // A second answer for the same round changes nothing.
        #expect(node.feed(.proposalValue(height: h, round: 0, blockHash: block(8))).isEmpty)
    }

    /// Algorithm 1, lines 20-21: a non-proposer schedules timeoutPropose(round).
    @Test func nonProposerSchedulesProposeTimeout() {
        let me = fourEqual.validators.map(\.key).first { $0 != fourEqual.proposer(height: h, round: 0) }!
        let node = Harness(me: me, height: h)
        #expect(node.log.timeouts == [TimeoutEvent(step: .propose, height: h, round: 0)])
        #expect(node.log.buildRequests.isEmpty && node.core.step == .propose)
    }

    /// Algorithm 1, lines 22-27: a valid proposal with polRound -1 gets a prevote for it.
    @Test func validProposalGetsPrevote() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        let actions = node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        #expect(actions.votes.map(\.blockHash) == [block(1)])
        #expect(actions.votes.first?.kind == .prevote && actions.votes.first?.attestation == .empty)
        #expect(node.core.step == .prevote)
    }

    /// Algorithm 1, lines 22-27 (else branch): an invalid proposal gets a nil prevote.
    @Test func invalidProposalGetsNilPrevote() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        let actions = node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: false))
        #expect(actions.votes.count == 1 && actions.votes[0].blockHash == nil)
    }

    /// Algorithm 1, line 22 ("from proposer(h, r)"): a proposal signed by another validator is ignored.
    @Test func proposalFromNonProposerIsIgnored() {
        let me = nonProposer(round: 0)
        var node = Harness(me: me, height: h)
        let impostor = fourEqual.validators.map(\.key).first { $0 != fourEqual.proposer(height: h, round: 0) }!
        let fake = Proposal(height: h, round: 0, polRound: -1, blockHash: block(1), proposer: impostor)
        #expect(node.feed(.proposal(fake, valid: true)).isEmpty)
        #expect(node.core.step == .propose)
    }

    /// Algorithm 1, lines 36-43: a valid proposal plus 2f + 1 prevotes for it while in prevote locks the
    /// value, precommits it (carrying the attestation), and sets the valid value.
    @Test func polkaLocksAndPrecommits() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        let work = BatchCommitment(root: block(5), receiptCount: 3, promptTokens: 10, completionTokens: 20)
        node.core.attestation = work
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        let actions = node.votes(.prevote, 0, block(1), from: 2)
        let precommits = actions.votes.filter { $0.kind == .precommit }
        #expect(precommits.count == 1 && precommits[0].blockHash == block(1) && precommits[0].attestation == work)
        #expect(node.core.lockedValue == block(1) && node.core.lockedRound == 0)
        #expect(node.core.validValue == block(1) && node.core.validRound == 0 && node.core.step == .precommit)
    }

    /// Algorithm 1, lines 36-43 with step = precommit: a polka seen after precommitting nil updates only
    /// validValue/validRound, not the lock.
    @Test func latePolkaSetsValidValueOnly() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.feed(.timeout(TimeoutEvent(step: .propose, height: h, round: 0)))
        node.feed(.vote(vote(.prevote, h, 0, block(1), by: node.others[0])))
        let third = node.feed(.vote(vote(.prevote, h, 0, block(1), by: node.others[1])))
        #expect(third.timeouts == [TimeoutEvent(step: .prevote, height: h, round: 0)])
        let nilPrecommit = node.feed(.timeout(TimeoutEvent(step: .prevote, height: h, round: 0)))
        #expect(nilPrecommit.votes.map(\.blockHash) == [nil])
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        node.feed(.vote(vote(.prevote, h, 0, block(1), by: node.others[2])))
        #expect(node.core.validValue == block(1) && node.core.validRound == 0)
        #expect(node.core.lockedValue == nil && node.core.lockedRound == -1)
    }

    /// Algorithm 1, lines 23 and 36-43: a node locked on A prevotes nil for a different block B proposed
    /// with polRound -1 in a later round, and still prevotes A when A is proposed again.
    @Test func lockedNodeRejectsOtherValueWithoutProofOfLock() {
        var node = lockedOnBlockOne()
        let r = node.core.round
        let other = node.feed(.proposal(proposal(fourEqual, h, r, block(2)), valid: true))
        #expect(other.votes.map(\.blockHash) == [nil])

        var again = lockedOnBlockOne()
        let same = again.feed(.proposal(proposal(fourEqual, h, again.core.round, block(1)), valid: true))
        #expect(same.votes.map(\.blockHash) == [block(1)])
    }

    /// Algorithm 1, lines 28-33 and 36-43 (relock): a node locked on A in round 0 prevotes B proposed with
    /// polRound vr ≥ lockedRound once it has 2f + 1 prevotes for B in vr, then locks B in the new round.
    @Test func proofOfLockInLaterRoundUnlocksAndRelocks() {
        var node = lockedOnBlockOne()
        let vr = node.core.round  // prevotes for B in vr (the node itself prevoted nil there: no proposal)
        node.votes(.prevote, vr, block(2), from: 3)
        node.votes(.precommit, vr, nil, from: 3)
        node.feed(.timeout(TimeoutEvent(step: .propose, height: h, round: vr)))
        node.feed(.timeout(TimeoutEvent(step: .precommit, height: h, round: vr)))
        let later = nextNonProposerRound(node.me, from: node.core.round)
        node.advance(to: later)
        let withPol = node.feed(.proposal(proposal(fourEqual, h, later, block(2), polRound: Int32(vr)), valid: true))
        #expect(withPol.votes.map(\.blockHash) == [block(2)])
        node.votes(.prevote, later, block(2), from: 2)
        #expect(node.core.lockedValue == block(2) && node.core.lockedRound == Int32(later))
    }

    /// Algorithm 1, line 28: a proposal with polRound ≥ 0 waits for 2f + 1 prevotes for its block in
    /// polRound before this node prevotes.
    @Test func proofOfLockWaitsForPolka() {
        var node = Harness(me: nonProposer(round: 2), height: h)
        node.feed(.vote(vote(.precommit, h, 2, nil, by: node.others[0])))
        node.feed(.vote(vote(.precommit, h, 2, nil, by: node.others[1])))  // f + 1: skip to round 2
        #expect(node.core.round == 2)
        let p = proposal(fourEqual, h, 2, block(3), polRound: 1)
        #expect(node.feed(.proposal(p, valid: true)).votes.isEmpty)  // no polka in round 1 known
        #expect(node.core.step == .propose)
        node.feed(.vote(vote(.prevote, h, 1, block(3), by: node.others[0])))
        node.feed(.vote(vote(.prevote, h, 1, block(3), by: node.others[1])))
        // 2 prevotes for block 3 in round 1: not 2f + 1.
        #expect(node.core.step == .propose)
        let ready = node.feed(.vote(vote(.prevote, h, 1, block(3), by: node.others[2])))
        #expect(ready.votes.map(\.blockHash) == [block(3)])
    }

    /// Algorithm 1, lines 29-32: a node locked in round L on A prevotes nil for B proposed with a proof of
    /// lock from a round older than L.
    @Test func staleProofOfLockGetsNilPrevote() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.votes(.prevote, 0, block(2), from: 3)  // a polka for B in round 0 the node did not act on
        let lockRound = nextNonProposerRound(node.me, from: 0)
        node.advance(to: lockRound)
        node.feed(.proposal(proposal(fourEqual, h, lockRound, block(1)), valid: true))
        node.votes(.prevote, lockRound, block(1), from: 2)
        #expect(node.core.lockedValue == block(1) && node.core.lockedRound == Int32(lockRound))
        node.votes(.precommit, lockRound, nil, from: 3)
        node.feed(.timeout(TimeoutEvent(step: .precommit, height: h, round: lockRound)))
        let later = nextNonProposerRound(node.me, from: lockRound)
        node.advance(to: later)
        let stale = node.feed(.proposal(proposal(fourEqual, h, later, block(2), polRound: 0), valid: true))
        #expect(stale.votes.map(\.blockHash) == [nil])
    }

    /// Algorithm 1, lines 44-46: 2f + 1 nil prevotes while in prevote give a nil precommit.
    @Test func nilPolkaGivesNilPrecommit() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: false))
        let actions = node.votes(.prevote, 0, nil, from: 2)
        #expect(actions.votes.filter { $0.kind == .precommit }.map(\.blockHash) == [nil])
        #expect(node.core.step == .precommit && node.core.lockedRound == -1)
    }

    /// Algorithm 1, lines 34-35 and 61-64: 2f + 1 prevotes of any kind schedule timeoutPrevote once; its
    /// expiry while still in prevote precommits nil. Timeouts grow with the round.
    @Test func prevoteTimeoutScheduledOnceAndPrecommitsNil() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        let second = node.feed(.vote(vote(.prevote, h, 0, block(2), by: node.others[0])))
        #expect(second.timeouts.isEmpty)
        let third = node.feed(.vote(vote(.prevote, h, 0, nil, by: node.others[1])))
        #expect(third.timeouts == [TimeoutEvent(step: .prevote, height: h, round: 0)])
        let fourth = node.feed(.vote(vote(.prevote, h, 0, nil, by: node.others[2])))
        #expect(fourth.timeouts.isEmpty && fourth.votes.isEmpty)
        let fired = node.feed(.timeout(TimeoutEvent(step: .prevote, height: h, round: 0)))
        #expect(fired.votes.map(\.blockHash) == [nil] && fired.votes.first?.kind == .precommit)
        // A stale timeout (the step has passed) is ignored.
        #expect(node.feed(.timeout(TimeoutEvent(step: .prevote, height: h, round: 0))).isEmpty)
        let timeouts = ConsensusTimeouts()
        #expect(timeouts.duration(.prevote, round: 3) > timeouts.duration(.prevote, round: 0))
        #expect(timeouts.duration(.propose, round: .max) > timeouts.duration(.propose, round: 1))
    }

    /// Algorithm 1, lines 57-60: timeoutPropose in step propose gives a nil prevote.
    @Test func proposeTimeoutGivesNilPrevote() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        #expect(node.feed(.timeout(TimeoutEvent(step: .propose, height: h, round: 1))).isEmpty)
        let fired = node.feed(.timeout(TimeoutEvent(step: .propose, height: h, round: 0)))
        #expect(fired.first == .persist(.timeout(TimeoutEvent(step: .propose, height: h, round: 0))))
        #expect(fired.votes.map(\.blockHash) == [nil] && node.core.step == .prevote)
    }

    /// Algorithm 1, lines 47-48 and 65-67: 2f + 1 precommits of any kind schedule timeoutPrecommit; its
    /// expiry starts the next round (lines 11-21 again).
    @Test func precommitTimeoutStartsNextRound() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.votes(.precommit, 0, nil, from: 2)
        let third = node.feed(.vote(vote(.precommit, h, 0, block(4), by: node.others[2])))
        #expect(third.timeouts == [TimeoutEvent(step: .precommit, height: h, round: 0)])
        #expect(third.commits.isEmpty)
        let fired = node.feed(.timeout(TimeoutEvent(step: .precommit, height: h, round: 0)))
        #expect(node.core.round == 1 && node.core.step == .propose)
        let proposerOfOne = fourEqual.proposer(height: h, round: 1) == node.me
        #expect(proposerOfOne ? fired.buildRequests == [1] : fired.timeouts.map(\.round) == [1])
    }

    /// Algorithm 1, lines 55-56: messages of a higher round from senders holding f + 1 (> 1/3) weight
    /// start that round; f weight is not enough. Far-ahead rounds count too.
    @Test func roundSkipOnOneThirdWeight() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.feed(.vote(vote(.prevote, h, 40, nil, by: node.others[0])))
        #expect(node.core.round == 0)  // 1 of 4: not > 1/3
        node.feed(.vote(vote(.precommit, h, 40, nil, by: node.others[0])))
        #expect(node.core.round == 0)  // same sender again
        node.feed(.vote(vote(.prevote, h, 40, nil, by: node.others[1])))
        #expect(node.core.round == 40 && node.core.step == .propose)

        // Weighted: one validator of weight 2 out of 5 (> 1/3) moves the node alone.
        let set = ValidatorSet([Validator(key: key(1), weight: 2), Validator(key: key(2), weight: 1),
                                Validator(key: key(3), weight: 1), Validator(key: key(4), weight: 1)])
        var weighted = Harness(me: key(4), height: h, set: set)
        weighted.feed(.vote(vote(.prevote, h, 2, nil, by: key(1))))
        #expect(weighted.core.round == 2)
    }

    /// Algorithm 1, line 49: 2f + 1 precommits for a block in a round other than the current one decide
    /// the height; the certificate holds those precommits sorted by voter. Also before the proposal arrives.
    @Test func decisionFromAnotherRoundsPrecommits() throws {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        node.votes(.precommit, 2, block(1), from: 2)
        #expect(node.core.decision == nil)
        let decided = node.votes(.precommit, 2, block(1), from: 3)
        let certificate = try #require(decided.commits.first)
        #expect(certificate.round == 2 && certificate.blockHash == block(1) && certificate.precommits.count == 3)
        #expect(certificate.precommits.map(\.voter) == certificate.precommits.map(\.voter).sorted())
        #expect(fourEqual.verifyCommit(certificate) == nil)
        #expect(node.core.decision == certificate)
        #expect(node.feed(.vote(vote(.prevote, h, 0, block(1), by: node.others[0]))).isEmpty)

        // Decided from an earlier round while in a later one, without ever seeing the proposal.
        var late = Harness(me: nonProposer(round: 0), height: h)
        late.votes(.precommit, 0, block(6), from: 2)
        late.feed(.vote(vote(.prevote, h, 3, nil, by: late.others[0])))
        late.feed(.vote(vote(.prevote, h, 3, nil, by: late.others[1])))
        #expect(late.core.round == 3 && late.core.decision == nil)
        late.feed(.vote(vote(.precommit, h, 0, block(6), by: late.others[2])))
        #expect(late.core.decision?.round == 0 && late.core.decision?.blockHash == block(6))
    }

    /// Algorithm 1, lines 14-16 and 19: a proposer with a valid value proposes it with polRound = validRound
    /// and does not ask the driver for a block.
    @Test func proposerReusesValidValue() {
        let first = fourEqual.proposer(height: h, round: 0)
        var proposerRound: UInt32 = 1
        while fourEqual.proposer(height: h, round: proposerRound) == first { proposerRound += 1 }
        var node = Harness(me: fourEqual.proposer(height: h, round: proposerRound), height: h)
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        node.votes(.prevote, 0, block(1), from: 2)
        #expect(node.core.validValue == block(1) && node.core.validRound == 0)
        node.votes(.precommit, 0, nil, from: 3)
        let before = node.log.count
        node.feed(.timeout(TimeoutEvent(step: .precommit, height: h, round: 0)))
        node.advance(to: proposerRound)
        let actions = Array(node.log[before...])
        let sent = actions.proposals
        #expect(sent.count == 1 && sent[0].blockHash == block(1) && sent[0].polRound == 0)
        #expect(sent.first?.round == proposerRound && actions.buildRequests.isEmpty)
    }

    /// Messages for other heights, from non-validators, and exact duplicates change nothing.
    @Test func ignoresForeignAndDuplicateMessages() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        let voter = node.others[0]
        #expect(node.feed(.vote(vote(.prevote, h + 1, 0, nil, by: voter))).isEmpty)
        #expect(node.feed(.vote(vote(.prevote, h, 0, nil, by: key(99)))).isEmpty)
        #expect(node.feed(.proposal(proposal(fourEqual, h + 1, 0, block(1)), valid: true)).isEmpty)
        #expect(!node.feed(.vote(vote(.prevote, h, 0, block(1), by: voter))).isEmpty)
        #expect(node.feed(.vote(vote(.prevote, h, 0, block(1), by: voter))).isEmpty)
        #expect(node.core.equivocations.isEmpty)
    }

    /// Algorithm 1, lines 47 and 49 with an equivocating voter: its conflicting votes are recorded as
    /// evidence; it counts once towards "2f + 1 precommits of any kind", and for each block it voted for
    /// (the paper counts messages for v from distinct senders); a third different vote is dropped.
    @Test func equivocationIsRecordedAndCountedPerValue() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        let voter = node.others[0]
        node.feed(.vote(vote(.precommit, h, 0, block(1), by: voter)))
        node.feed(.vote(vote(.precommit, h, 0, block(2), by: voter)))
        let second = node.feed(.vote(vote(.precommit, h, 0, nil, by: node.others[1])))
        #expect(second.timeouts.isEmpty)  // two senders, not three: the equivocator counts once
        #expect(node.feed(.vote(vote(.precommit, h, 0, block(3), by: voter))).isEmpty)  // third vote: dropped
        #expect(node.core.equivocations.map(\.second.blockHash) == [block(2), block(3)])
        #expect(node.core.equivocations.allSatisfy { $0.first.blockHash == block(1) })

        var decides = Harness(me: nonProposer(round: 0), height: h)
        let equivocator = decides.others[0]
        decides.feed(.vote(vote(.precommit, h, 0, block(1), by: equivocator)))
        decides.feed(.vote(vote(.precommit, h, 0, block(2), by: equivocator)))
        decides.feed(.vote(vote(.precommit, h, 0, block(2), by: decides.others[1])))
        #expect(decides.core.decision == nil)
        decides.feed(.vote(vote(.precommit, h, 0, block(2), by: decides.others[2])))
        #expect(decides.core.decision?.blockHash == block(2))
        #expect(decides.core.decision?.precommits.contains { $0.voter == equivocator } == true)
    }

    /// What a driver re-sends: the own votes of the current and previous rounds and of the valid round
    /// (the proof of lock a later proposal of the valid value needs, line 28), not every old round.
    @Test func messagesToResendCoverCurrentPreviousAndValidRounds() {
        var node = lockedOnBlockOne()
        let current = node.core.round
        node.feed(.timeout(TimeoutEvent(step: .propose, height: h, round: current)))
        let rounds = Set(node.core.messagesToResend.votes.map(\.round))
        #expect(rounds.contains(0) && rounds.contains(current))
        #expect(rounds.isSubset(of: [0, current, current - 1]))
        #expect(node.core.messagesToResend.votes.allSatisfy { $0.voter == node.me })
    }

    /// A proposal whose proof-of-lock round is not below its round is malformed and ignored (line 28
    /// requires vr < round).
    @Test func proposalWithProofOfLockNotBelowItsRoundIsIgnored() {
        var node = Harness(me: nonProposer(round: 0), height: h)
        #expect(node.feed(.proposal(proposal(fourEqual, h, 0, block(1), polRound: 0), valid: true)).isEmpty)
        #expect(node.feed(.proposal(proposal(fourEqual, h, 0, block(1), polRound: -2), valid: true)).isEmpty)
    }

    // MARK: Helpers

    /// A validator that is not the proposer of round `r` at height `h` (nor of round 0 when possible).
    func nonProposer(round r: UInt32) -> PublicKey {
        let excluded: Set<PublicKey> = [
            fourEqual.proposer(height: h, round: r), fourEqual.proposer(height: h, round: 0),
        ]
        return fourEqual.validators.map(\.key).first { !excluded.contains($0) }!
    }

    /// The first round after `after` where `me` proposes.
    func nextRound(of me: PublicKey, after: UInt32) -> UInt32 {
        var r = after + 1
        while fourEqual.proposer(height: h, round: r) != me { r += 1 }
        return r
    }

    /// The first round ≥ `from` + 1 where `me` does not propose.
    func nextNonProposerRound(_ me: PublicKey, from: UInt32) -> UInt32 {
        var r = from + 1
        while fourEqual.proposer(height: h, round: r) == me { r += 1 }
        return r
    }

    /// A non-proposer locked on block 1 in round 0, now in the next round where it does not propose.
    func lockedOnBlockOne() -> Harness {
        var node = Harness(me: nonProposer(round: 0), height: h)
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        node.votes(.prevote, 0, block(1), from: 2)
        precondition(node.core.lockedValue == block(1))
        node.votes(.precommit, 0, nil, from: 2)
        node.feed(.vote(vote(.precommit, h, 0, nil, by: node.others[2])))
        node.feed(.timeout(TimeoutEvent(step: .precommit, height: h, round: 0)))
        let target = nextNonProposerRound(node.me, from: 0)
        node.advance(to: target)
        return node
    }
}
