import PoUWConsensus
import PoUWCore
import Testing

/// A node outside the height's validator set (an observer, or a validator that lost its weight at an
/// epoch boundary) follows the height without voting, and its messages never enter a certificate.
@Suite struct ConsensusObserverTests {
    let h: UInt64 = 31
    let outsider = key(9)

    /// Algorithm 1, lines 22-27 and 36-43 apply to validators only: a proposal and a quorum of votes
    /// move an outsider to a decision, but it signs nothing.
    @Test func anOutsiderDecidesWithoutVoting() throws {
        var node = Harness(me: outsider, height: h)
        #expect(node.log.buildRequests.isEmpty)
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        node.votes(.prevote, 0, block(1), from: 4)
        node.votes(.precommit, 0, block(1), from: 4)
        #expect(node.log.votes.isEmpty, "an outsider signed \(node.log.votes.count) votes")
        let decision = try #require(node.core.decision)
        #expect(decision.blockHash == block(1))
        #expect(!decision.precommits.contains { $0.voter == outsider })
        #expect(fourEqual.verifyCommit(decision) == nil)
    }

    /// Line 49 counts only validators' weight: a precommit from a key outside the set is not counted and
    /// never appears in the commit certificate.
    @Test func aVoteFromOutsideTheSetIsNotCounted() throws {
        var node = Harness(me: key(1), height: h)
        node.feed(.proposal(proposal(fourEqual, h, 0, block(1)), valid: true))
        #expect(node.feed(.vote(vote(.precommit, h, 0, block(1), by: outsider))).isEmpty)
        node.votes(.prevote, 0, block(1), from: 3)
        node.votes(.precommit, 0, block(1), from: 3)
        let decision = try #require(node.core.decision)
        #expect(!decision.precommits.contains { $0.voter == outsider })
        #expect(fourEqual.verifyCommit(decision) == nil)
    }
}
