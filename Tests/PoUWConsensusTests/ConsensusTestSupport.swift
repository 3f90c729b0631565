import PoUWConsensus
import PoUWCore

/// A validator key made of one repeated byte.
func key(_ byte: UInt8) -> PublicKey { PublicKey([UInt8](repeating: byte, count: PublicKey.byteCount)) }

/// A block hash made of one repeated byte.
func block(_ byte: UInt8) -> Hash32 { Hash32([UInt8](repeating: byte, count: Hash32.byteCount)) }

/// Four validators of weight 1 (keys 1...4): quorum 3, f + 1 = 2.
let fourEqual = ValidatorSet((1...4).map { Validator(key: key($0), weight: 1) })

/// A signer whose signature is a checksum of the payload (tests never verify it).
struct TestSigner: ConsensusSigner {
    let publicKey: PublicKey

    func sign(_ proposal: Proposal) -> Signature { TestSigner.tag(proposal.signingPayload, 1) }
    func sign(_ vote: Vote) -> Signature { TestSigner.tag(vote.signingPayload, 2) }

    static func tag(_ payload: [UInt8], _ domain: UInt8) -> Signature {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(domain)
        for byte in payload { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var bytes: [UInt8] = []
        for lane in 0..<8 {
            let word = state &+ UInt64(lane) &* 0x9E37_79B9_7F4A_7C15
            bytes += withUnsafeBytes(of: word.littleEndian, Array.init)
        }
        return Signature(bytes)
    }
}

/// The first round of `height` whose proposer is (or is not) `me` under `set`.
func round(of set: ValidatorSet, height: UInt64, proposerIs me: PublicKey, _ wanted: Bool = true) -> UInt32 {
    var r: UInt32 = 0
    while (set.proposer(height: height, round: r) == me) != wanted { r += 1 }
    return r
}

/// The first height whose round-0 proposer is (or is not) `me`.
func height(of set: ValidatorSet, proposerIs me: PublicKey, _ wanted: Bool = true) -> UInt64 {
    var h: UInt64 = 1
    while (set.proposer(height: h, round: 0) == me) != wanted { h += 1 }
    return h
}

/// A signed vote of `voter`.
func vote(_ kind: VoteKind, _ height: UInt64, _ round: UInt32, _ hash: Hash32?, by voter: PublicKey) -> Vote {
    var v = Vote(kind: kind, height: height, round: round, blockHash: hash, voter: voter)
    v.signature = TestSigner(publicKey: voter).sign(v)
    return v
}

/// The proposal of (height, round) by the set's proposer.
func proposal(
    _ set: ValidatorSet, _ height: UInt64, _ round: UInt32, _ hash: Hash32, polRound: Int32 = -1
) -> Proposal {
    let proposer = set.proposer(height: height, round: round)
    var p = Proposal(height: height, round: round, polRound: polRound, blockHash: hash, proposer: proposer)
    p.signature = TestSigner(publicKey: proposer).sign(p)
    return p
}

extension Array where Element == ConsensusAction {
    var votes: [Vote] {
        compactMap { if case .broadcastVote(let v) = $0 { v } else { nil } }
    }

    var proposals: [Proposal] {
        compactMap { if case .broadcastProposal(let p) = $0 { p } else { nil } }
    }

    var timeouts: [TimeoutEvent] {
        compactMap { if case .scheduleTimeout(let t, _) = $0 { t } else { nil } }
    }

    var commits: [CommitCertificate] {
        compactMap { if case .commit(let c) = $0 { c } else { nil } }
    }

    var records: [WALRecord] {
        compactMap { if case .persist(let r) = $0 { r } else { nil } }
    }

    var buildRequests: [UInt32] {
        compactMap { if case .buildProposal(_, let r) = $0 { r } else { nil } }
    }
}

/// A started core with convenience feeding.
struct Harness {
    var core: ConsensusCore
    var log: [ConsensusAction] = []

    init(me: PublicKey, height: UInt64, set: ValidatorSet = fourEqual, timeouts: ConsensusTimeouts = .init()) {
        core = ConsensusCore(signer: TestSigner(publicKey: me), height: height, validators: set, timeouts: timeouts)
        log = core.start()
    }

    var me: PublicKey { core.publicKey }
    var others: [PublicKey] { core.validators.validators.map(\.key).filter { $0 != me } }

    @discardableResult
    mutating func feed(_ event: ConsensusEvent) -> [ConsensusAction] {
        let actions = core.handle(event)
        log += actions
        return actions
    }

    /// Votes of `kind` for `hash` in `round` from the first `count` other validators.
    @discardableResult
    mutating func votes(_ kind: VoteKind, _ round: UInt32, _ hash: Hash32?, from count: Int) -> [ConsensusAction] {
        var actions: [ConsensusAction] = []
        for voter in others.prefix(count) {
            actions += feed(.vote(vote(kind, core.height, round, hash, by: voter)))
        }
        return actions
    }

    /// Runs timeouts until the core is in `target` round (precommit timeouts after nil votes).
    mutating func advance(to target: UInt32) {
        while core.round < target {
            let r = core.round
            feed(.timeout(TimeoutEvent(step: .propose, height: core.height, round: r)))
            votes(.prevote, r, nil, from: 3)
            votes(.precommit, r, nil, from: 3)
            feed(.timeout(TimeoutEvent(step: .precommit, height: core.height, round: r)))
        }
    }
}
