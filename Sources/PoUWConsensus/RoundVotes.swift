/// The tallies of one round: one prevote and one precommit per voter (the first one wins), and the
/// weight behind each value.
import PoUWCore

/// A validator that signed two different votes of the same kind for one height and round, in the order
/// they arrived. Proof of misbehaviour for the driver to report.
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
    /// The same vote (signature aside) was already there.
    case duplicate
    /// The voter already voted otherwise in this slot (`first`). `counted`: the new vote was kept as the
    /// voter's one conflicting vote and counts for its own block; otherwise it was dropped.
    case conflict(first: Vote, counted: Bool)
}

/// The votes of one round, bounded by two per voter and kind.
///
/// Counting follows the paper's message log: "2f + 1 prevotes for v" means votes for v from distinct
/// validators holding that weight, whatever else they sent. A validator's first vote per slot counts for
/// its block and for the any-value totals (lines 34 and 47); one conflicting vote (an equivocation) is
/// kept too and counts for its own block only. Without it, honest nodes that saw an equivocator's votes
/// in different orders could disagree forever about whether a proof of lock exists (a liveness loss the
/// twins simulation finds); safety never depended on the order, as the paper's proof allows byzantine
/// validators to send anything to anyone. Further conflicting votes are dropped.
struct RoundVotes {
    private var first: [VoteKind: [PublicKey: Vote]] = [:]
    private var second: [VoteKind: [PublicKey: Vote]] = [:]
    private var weights: [VoteKind: [Hash32?: UInt64]] = [:]
    private var totals: [VoteKind: UInt64] = [:]

    /// Counts `vote` with `weight` (see the type's doc for conflicting votes).
    mutating func insert(_ vote: Vote, weight: UInt64) -> VoteInsertion {
        guard let existing = first[vote.kind]?[vote.voter] else {
            first[vote.kind, default: [:]][vote.voter] = vote
            weights[vote.kind, default: [:]][vote.blockHash, default: 0] += weight
            totals[vote.kind, default: 0] += weight
            return .added
        }
        if RoundVotes.sameContent(existing, vote) { return .duplicate }
        if let conflicting = second[vote.kind]?[vote.voter] {
            return RoundVotes.sameContent(conflicting, vote) ? .duplicate : .conflict(first: existing, counted: false)
        }
        second[vote.kind, default: [:]][vote.voter] = vote
        if vote.blockHash != existing.blockHash {
            weights[vote.kind, default: [:]][vote.blockHash, default: 0] += weight
        }
        return .conflict(first: existing, counted: true)
    }

    /// The weight of `kind` votes for `blockHash` (`nil`: votes for nil).
    func weight(_ kind: VoteKind, for blockHash: Hash32?) -> UInt64 { weights[kind]?[blockHash] ?? 0 }

    /// The weight of the validators that sent a `kind` vote, whatever its value.
    func totalWeight(_ kind: VoteKind) -> UInt64 { totals[kind] ?? 0 }

    /// The block (not nil) whose `kind` votes reach `quorum`, if one does (the lowest hash should
    /// byzantine weight above 1/3 ever make two).
    func quorumBlock(_ kind: VoteKind, quorum: UInt64) -> Hash32? {
        (weights[kind] ?? [:]).compactMap { $0.value >= quorum ? $0.key : nil }.min()
    }

    /// The precommits for `blockHash`, one per voter (unordered; `CommitCertificate` sorts them).
    func precommits(for blockHash: Hash32) -> [Vote] {
        var found: [PublicKey: Vote] = [:]
        for table in [first[.precommit] ?? [:], second[.precommit] ?? [:]] {
            for (voter, vote) in table where vote.blockHash == blockHash && found[voter] == nil { found[voter] = vote }
        }
        return Array(found.values)
    }

    /// Two votes say the same thing (signatures aside: the driver checked both).
    static func sameContent(_ a: Vote, _ b: Vote) -> Bool {
        a.kind == b.kind && a.height == b.height && a.round == b.round && a.blockHash == b.blockHash
            && a.voter == b.voter && a.attestation == b.attestation
    }
}
