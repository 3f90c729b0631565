/// The tallies of one round: one prevote and one precommit per voter (the first one wins), and the
/// weight behind each value.
import PoUWCore

/// A validator that signed two different votes of the same kind for one height and round: the first
/// one counted, `second` was refused. Proof of misbehaviour for the driver to report.
public struct Equivocation: Hashable, Sendable {
    public let first: Vote
    public let second: Vote

    public init(first: Vote, second: Vote) {
        self.first = first
        self.second = second
    }
}

/// What `RoundVotes.insert` did with a vote.
enum VoteInsertion: Equatable {
    case added
    /// The voter's vote of that kind was already counted, with the same content.
    case duplicate
    /// The voter's earlier, different vote of that kind (the new one is refused).
    case conflict(Vote)
}

/// The votes of one round, bounded by the validator count per kind.
struct RoundVotes {
    private var prevotes: [PublicKey: Vote] = [:]
    private var precommits: [PublicKey: Vote] = [:]
    private var prevoteWeights: [Hash32?: UInt64] = [:]
    private var precommitWeights: [Hash32?: UInt64] = [:]
    private(set) var prevoteTotal: UInt64 = 0
    private(set) var precommitTotal: UInt64 = 0

    /// Counts `vote` with `weight` unless the voter already has a vote of that kind here.
    mutating func insert(_ vote: Vote, weight: UInt64) -> VoteInsertion {
        let existing = vote.kind == .prevote ? prevotes[vote.voter] : precommits[vote.voter]
        if let existing {
            return RoundVotes.sameContent(existing, vote) ? .duplicate : .conflict(existing)
        }
        switch vote.kind {
        case .prevote:
            prevotes[vote.voter] = vote
            prevoteWeights[vote.blockHash, default: 0] += weight
            prevoteTotal += weight
        case .precommit:
            precommits[vote.voter] = vote
            precommitWeights[vote.blockHash, default: 0] += weight
            precommitTotal += weight
        }
        return .added
    }

    /// The weight of `kind` votes for `blockHash` (`nil`: votes for nil).
    func weight(_ kind: VoteKind, for blockHash: Hash32?) -> UInt64 {
        (kind == .prevote ? prevoteWeights : precommitWeights)[blockHash] ?? 0
    }

    /// The weight of every `kind` vote, whatever its value.
    func totalWeight(_ kind: VoteKind) -> UInt64 { kind == .prevote ? prevoteTotal : precommitTotal }

    /// The block (not nil) whose `kind` votes reach `quorum`, if one does. With one vote per voter and a
    /// quorum above 2/3, at most one can.
    func quorumBlock(_ kind: VoteKind, quorum: UInt64) -> Hash32? {
        for (hash, weight) in kind == .prevote ? prevoteWeights : precommitWeights where weight >= quorum {
            if let hash { return hash }
        }
        return nil
    }

    /// The precommits for `blockHash` (unordered; `CommitCertificate` sorts them).
    func precommits(for blockHash: Hash32) -> [Vote] {
        precommits.values.filter { $0.blockHash == blockHash }
    }

    /// Two votes say the same thing (signatures aside: the driver checked both).
    static func sameContent(_ a: Vote, _ b: Vote) -> Bool {
        a.kind == b.kind && a.height == b.height && a.round == b.round && a.blockHash == b.blockHash
            && a.voter == b.voter && a.attestation == b.attestation
    }
}
