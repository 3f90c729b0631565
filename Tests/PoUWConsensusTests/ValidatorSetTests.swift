import PoUWConsensus
import PoUWCore
import Testing

@Suite struct ValidatorSetTests {
    @Test func sortsByKeyAndSumsWeights() {
        let set = ValidatorSet([Validator(key: key(3), weight: 5), Validator(key: key(1), weight: 2)])
        #expect(set.validators.map(\.key) == [key(1), key(3)])
        #expect(set.totalWeight == 7 && set.weight(of: key(3)) == 5 && set.weight(of: key(9)) == 0)
    }

    /// 2f + 1 and f + 1 as weights: the smallest weight above 2/3 and above 1/3 of the total.
    @Test(arguments: [(UInt64(4), UInt64(3), UInt64(2)), (3, 3, 2), (1, 1, 1), (100, 67, 34), (7, 5, 3)])
    func thresholds(total: UInt64, quorum: UInt64, oneThird: UInt64) {
        let set = ValidatorSet([Validator(key: key(1), weight: total)])
        #expect(set.quorumWeight == quorum && set.oneThirdWeight == oneThird)
    }

    @Test func thresholdsDoNotOverflowNearUInt64Max() {
        let set = ValidatorSet([Validator(key: key(1), weight: .max / 2), Validator(key: key(2), weight: .max / 2)])
        let total = set.totalWeight
        #expect(set.quorumWeight > total / 3 * 2 && set.quorumWeight <= total)
        #expect(set.oneThirdWeight == total / 3 + 1)
    }

    /// Every validator proposes a share of (height, round 0) slots close to its share of the weight.
    @Test func proposerRotationIsWeightProportional() {
        let weights: [UInt64] = [1, 2, 3, 4, 10]
        let set = ValidatorSet(
            weights.enumerated().map { Validator(key: key(UInt8($0.offset + 1)), weight: $0.element) })
        let heights = 40_000
        var counts: [PublicKey: Int] = [:]
        for height in 1...UInt64(heights) { counts[set.proposer(height: height, round: 0), default: 0] += 1 }
        for validator in set.validators {
            let expected = Double(heights) * Double(validator.weight) / Double(set.totalWeight)
            let observed = Double(counts[validator.key] ?? 0)
            #expect(abs(observed - expected) < 0.06 * expected, "\(validator.key): \(observed) vs \(expected)")
        }
        // Rounds of one height rotate too, and the choice is a pure function of (height, round).
        let proposers = Set((0..<32).map { set.proposer(height: 5, round: $0) })
        #expect(proposers.count > 2)
        #expect(set.proposer(height: 9, round: 3) == set.proposer(height: 9, round: 3))
    }

    @Test func verifyCommitAcceptsAQuorum() {
        #expect(fourEqual.verifyCommit(certificate(voters: [1, 2, 3])) == nil)
        #expect(fourEqual.verifyCommit(certificate(voters: [1, 2, 3, 4])) == nil)
    }

    @Test func verifyCommitRejectsDuplicatesUnknownAndInsufficientWeight() {
        var duplicate = certificate(voters: [1, 2, 3])
        duplicate.precommits.append(duplicate.precommits[2])
        #expect(fourEqual.verifyCommit(duplicate) == .duplicateOrUnsortedVoter(key(3)))
        #expect(fourEqual.verifyCommit(certificate(voters: [1, 2, 9])) == .unknownVoter(key(9)))
        #expect(fourEqual.verifyCommit(certificate(voters: [1, 2])) == .insufficientWeight(weight: 2, needed: 3))
        #expect(fourEqual.verifyCommit(certificate(voters: [])) == .precommitCount(0))
    }

    @Test func verifyCommitRejectsWrongKindAndMismatchedVotes() {
        var prevote = certificate(voters: [1, 2, 3])
        prevote.precommits[0].kind = .prevote
        #expect(fourEqual.verifyCommit(prevote) == .wrongKind(voter: key(1)))
        for change in 0..<4 {
            var wrong = certificate(voters: [1, 2, 3])
            switch change {
            case 0: wrong.precommits[1].height += 1
            case 1: wrong.precommits[1].round += 1
            case 2: wrong.precommits[1].blockHash = block(8)
            default: wrong.precommits[1].blockHash = nil
            }
            #expect(fourEqual.verifyCommit(wrong) == .mismatchedVote(voter: key(2)))
        }
        #expect(!CommitCheckError.insufficientWeight(weight: 1, needed: 3).description.isEmpty)
    }

    func certificate(voters: [UInt8]) -> CommitCertificate {
        CommitCertificate(
            height: 3, round: 1, blockHash: block(7),
            precommits: voters.map { vote(.precommit, 3, 1, block(7), by: key($0)) })
    }
}
