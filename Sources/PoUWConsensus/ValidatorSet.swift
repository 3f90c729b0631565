/// The validators of a height and their voting weights: quorum thresholds, the weighted proposer
/// rotation, and the structural check of a commit certificate. Pure and deterministic.
public import PoUWCore

/// One validator: its consensus key and its voting weight.
public struct Validator: Hashable, Sendable {
    public var key: PublicKey
    public var weight: UInt64

    public init(key: PublicKey, weight: UInt64) {
        self.key = key
        self.weight = weight
    }
}

/// Why a commit certificate does not prove its block final under a `ValidatorSet`.
public enum CommitCheckError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The certificate holds no precommits, or more than `ConsensusLimits.validatorsMax`.
    case precommitCount(Int)
    /// A vote in the certificate is a prevote.
    case wrongKind(voter: PublicKey)
    /// A precommit is for another height, round or block (or for nil) than the certificate.
    case mismatchedVote(voter: PublicKey)
    /// The precommits are not sorted by voter, or a voter appears twice.
    case duplicateOrUnsortedVoter(PublicKey)
    /// A precommit is from a key outside the validator set.
    case unknownVoter(PublicKey)
    /// The precommits carry `weight`, not more than 2/3 of the total (`needed` or more is required).
    case insufficientWeight(weight: UInt64, needed: UInt64)

    public var description: String {
        switch self {
        case let .precommitCount(count):
            "commit certificate holds \(count) precommits, outside 1...\(ConsensusLimits.validatorsMax); "
                + "the sender built it wrongly"
        case let .wrongKind(voter):
            "commit certificate holds a prevote of \(voter); only precommits prove finality"
        case let .mismatchedVote(voter):
            "commit certificate holds a precommit of \(voter) for another height, round or block; "
                + "the certificate is malformed"
        case let .duplicateOrUnsortedVoter(voter):
            "commit certificate lists \(voter) out of order or twice; precommits must be sorted by voter, one each"
        case let .unknownVoter(voter):
            "commit certificate holds a precommit of \(voter), not a validator of the height; "
                + "check the validator set the certificate is checked against"
        case let .insufficientWeight(weight, needed):
            "commit certificate carries weight \(weight), below the quorum \(needed); it does not prove finality"
        }
    }
}

/// The validators of one height, sorted by key.
///
/// Proposer rotation: `proposer(height:round:)` is a weighted pick seeded by a SplitMix64 hash of
/// (height, round): validator i is chosen with probability weight(i) / totalWeight, independently
/// for every (height, round). Every validator therefore proposes a share of heights proportional to
/// its weight, nothing has to be replayed from genesis, and anyone can compute the proposer of any
/// round from the set alone. (Rounds of one height may repeat a proposer; a faulty one costs a round.)
public struct ValidatorSet: Hashable, Sendable {
    public private(set) var validators: [Validator]
    public private(set) var totalWeight: UInt64
    private var index: [PublicKey: Int]

    /// - Precondition: 1 to `ConsensusLimits.validatorsMax` validators, unique keys, every weight
    ///   above zero, and a total weight that fits in a `UInt64`.
    public init(_ validators: [Validator]) {
        precondition((1...ConsensusLimits.validatorsMax).contains(validators.count),
                     "a validator set holds 1...\(ConsensusLimits.validatorsMax) validators, got \(validators.count)")
        let sorted = validators.sorted { $0.key < $1.key }
        var total: UInt64 = 0
        for (offset, validator) in sorted.enumerated() {
            precondition(validator.weight > 0, "validator \(validator.key) has weight 0")
            precondition(offset == 0 || sorted[offset - 1].key != validator.key, "validator \(validator.key) twice")
            let (sum, overflow) = total.addingReportingOverflow(validator.weight)
            precondition(!overflow, "the total validator weight does not fit in UInt64")
            total = sum
        }
        self.validators = sorted
        self.totalWeight = total
        self.index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($0.element.key, $0.offset) })
    }

    /// The weight of `key`; 0 when it is not a validator.
    public func weight(of key: PublicKey) -> UInt64 {
        index[key].map { validators[$0].weight } ?? 0
    }

    /// Whether `key` is a validator.
    public func contains(_ key: PublicKey) -> Bool { index[key] != nil }

    /// The smallest weight above 2/3 of the total (the paper's 2f + 1).
    public var quorumWeight: UInt64 {
        let doubled = totalWeight.multipliedFullWidth(by: 2)
        let (third, _) = UInt64(3).dividingFullWidth((high: doubled.high, low: doubled.low))
        return third + 1
    }

    /// The smallest weight above 1/3 of the total (the paper's f + 1).
    public var oneThirdWeight: UInt64 { totalWeight / 3 + 1 }

    /// The proposer of (height, round): a weighted pick seeded by a hash of both (see the type's doc).
    public func proposer(height: UInt64, round: UInt32) -> PublicKey {
        var state = (height &* 0xD6E8_FEB8_6659_FD93) ^ (UInt64(round) &* 0xA076_1D64_78BD_642F)
        let draw = ValidatorSet.splitMix(&state)
        // draw * total / 2^64: an unbiased-enough point in [0, total) without a modulo.
        let point = draw.multipliedFullWidth(by: totalWeight).high
        var cumulative: UInt64 = 0
        for validator in validators {
            cumulative += validator.weight
            if point < cumulative { return validator.key }
        }
        return validators[validators.count - 1].key
    }

    /// Checks the structure and weight of `certificate` (not its signatures: the caller verifies those):
    /// every vote a precommit for the certificate's height, round and block, voters sorted and unique,
    /// all validators, together holding more than 2/3 of the weight. `nil` when it proves finality.
    public func verifyCommit(_ certificate: CommitCertificate) -> CommitCheckError? {
        let precommits = certificate.precommits
        guard (1...ConsensusLimits.validatorsMax).contains(precommits.count) else {
            return .precommitCount(precommits.count)
        }
        var weight: UInt64 = 0
        var previous: PublicKey?
        for vote in precommits {
            guard vote.kind == .precommit else { return .wrongKind(voter: vote.voter) }
            guard vote.height == certificate.height, vote.round == certificate.round,
                  vote.blockHash == certificate.blockHash
            else { return .mismatchedVote(voter: vote.voter) }
            if let previous, !(previous < vote.voter) { return .duplicateOrUnsortedVoter(vote.voter) }
            previous = vote.voter
            let voterWeight = self.weight(of: vote.voter)
            guard voterWeight > 0 else { return .unknownVoter(vote.voter) }
            weight += voterWeight  // cannot overflow: distinct validators sum to at most totalWeight
        }
        guard weight >= quorumWeight else { return .insufficientWeight(weight: weight, needed: quorumWeight) }
        return nil
    }

    public static func == (lhs: ValidatorSet, rhs: ValidatorSet) -> Bool { lhs.validators == rhs.validators }

    public func hash(into hasher: inout Hasher) { hasher.combine(validators) }

    /// SplitMix64's output function (a bijective 64-bit mixer).
    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
