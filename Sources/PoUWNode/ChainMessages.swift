/// What chain nodes say to each other beyond the consensus messages: the proposal with its block on
/// the proposals topic, and the request/response messages of block sync and Sprint proofs
/// (docs/protocol.md, "Messages").
public import PoUWChain
public import PoUWConsensus
public import PoUWCore
public import PoUWWire
public import PoUWWork

/// A signed proposal and the block it proposes (`proposal.blockHash == block.header.hash`).
public struct ProposalMessage: Sendable, Equatable, WireCodable {
    public var proposal: Proposal
    public var block: Block

    public init(proposal: Proposal, block: Block) {
        self.proposal = proposal
        self.block = block
    }

    public static var encodedBytesMin: Int { Proposal.encodedBytesMin }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(proposal)
        encoder.write(block)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        proposal = try decoder.read(Proposal.self)
        block = try decoder.read(Block.self)
    }
}

/// A final block and the certificate that made it final.
public struct CommittedBlock: Sendable, Equatable, WireCodable {
    public var block: Block
    public var commit: CommitCertificate

    public init(block: Block, commit: CommitCertificate) {
        self.block = block
        self.commit = commit
    }

    public static var encodedBytesMin: Int { CommitCertificate.encodedBytesMin }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(block)
        encoder.write(commit)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        block = try decoder.read(Block.self)
        commit = try decoder.read(CommitCertificate.self)
    }
}

/// Bounds of the sync and proof messages.
public enum ChainSyncLimits {
    /// Blocks asked for (and answered) in one sync request.
    public static let blocksPerRequestMax = 32
    /// Bytes of blocks put in one answer; an answer stops early rather than exceed it.
    public static let answerBytesMax = 4 * 1024 * 1024
    /// Sprint proofs asked for in one request.
    public static let proofsPerRequestMax = 64
    /// Votes in one consensus catch-up answer.
    public static let votesPerAnswerMax = 4 * ConsensusLimits.validatorsMax
    /// Proposals (with their blocks) in one consensus catch-up answer.
    public static let proposalsPerAnswerMax = 2
}

/// A request to a peer.
public enum ChainRequest: Sendable, Equatable, WireCodable {
    /// The peer's head: height and hash.
    case head
    /// Final blocks from `height` on, at most `count` (≤ `ChainSyncLimits.blocksPerRequestMax`).
    case blocks(from: UInt64, count: UInt32)
    /// The peer's Sprint proofs of `epoch` for `nonces`.
    case sprintProofs(epoch: UInt64, nonces: [UInt64])
    /// The proposals and votes the peer holds for `height`, the height it is deciding (catch-up after
    /// messages were lost or sent before we connected).
    case consensus(height: UInt64)

    public static var encodedBytesMin: Int { 1 }

    public func encode(to encoder: inout WireEncoder) {
        switch self {
        case .head:
            encoder.writeUInt8(1)
        case .blocks(let from, let count):
            encoder.writeUInt8(2)
            encoder.writeUInt64(from)
            encoder.writeUInt32(count)
        case .sprintProofs(let epoch, let nonces):
            encoder.writeUInt8(3)
            encoder.writeUInt64(epoch)
            encoder.writeArray(nonces, field: "nonces", max: ChainSyncLimits.proofsPerRequestMax) { $0.writeUInt64($1) }
        case .consensus(let height):
            encoder.writeUInt8(4)
            encoder.writeUInt64(height)
        }
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        let tag = try decoder.readUInt8()
        switch tag {
        case 1:
            self = .head
        case 2:
            let from = try decoder.readUInt64()
            let count = try decoder.readUInt32()
            guard count <= ChainSyncLimits.blocksPerRequestMax else {
                throw .lengthExceeded(field: "blocks.count", max: ChainSyncLimits.blocksPerRequestMax,
                                      actual: UInt64(count))
            }
            self = .blocks(from: from, count: count)
        case 3:
            let epoch = try decoder.readUInt64()
            let nonces = try decoder.readArray(
                field: "nonces", max: ChainSyncLimits.proofsPerRequestMax, elementBytesMin: 8
            ) { (d: inout WireDecoder) throws(WireError) in try d.readUInt64() }
            self = .sprintProofs(epoch: epoch, nonces: nonces)
        case 4:
            self = .consensus(height: try decoder.readUInt64())
        default:
            throw .invalidEnum(type: "ChainRequest", raw: UInt64(tag))
        }
    }
}

/// The answer to a `ChainRequest`.
public enum ChainResponse: Sendable, Equatable, WireCodable {
    case head(height: UInt64, hash: Hash32)
    case blocks([CommittedBlock])
    case sprintProofs([SprintProof])
    case consensus(proposals: [ProposalMessage], votes: [Vote])

    public static var encodedBytesMin: Int { 1 }

    public func encode(to encoder: inout WireEncoder) {
        switch self {
        case .head(let height, let hash):
            encoder.writeUInt8(1)
            encoder.writeUInt64(height)
            encoder.write(hash)
        case .blocks(let blocks):
            encoder.writeUInt8(2)
            encoder.writeArray(blocks, field: "blocks", max: ChainSyncLimits.blocksPerRequestMax)
        case .sprintProofs(let proofs):
            encoder.writeUInt8(3)
            encoder.writeArray(proofs, field: "proofs", max: ChainSyncLimits.proofsPerRequestMax)
        case .consensus(let proposals, let votes):
            encoder.writeUInt8(4)
            encoder.writeArray(proposals, field: "proposals", max: ChainSyncLimits.proposalsPerAnswerMax)
            encoder.writeArray(votes, field: "votes", max: ChainSyncLimits.votesPerAnswerMax)
        }
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        let tag = try decoder.readUInt8()
        switch tag {
        case 1:
            self = .head(height: try decoder.readUInt64(), hash: try decoder.read(Hash32.self))
        case 2:
            self = .blocks(try decoder.readArray(of: CommittedBlock.self, field: "blocks",
                                                 max: ChainSyncLimits.blocksPerRequestMax))
        case 3:
            self = .sprintProofs(try decoder.readArray(of: SprintProof.self, field: "proofs",
                                                       max: ChainSyncLimits.proofsPerRequestMax))
        case 4:
            let proposals = try decoder.readArray(
                of: ProposalMessage.self, field: "proposals", max: ChainSyncLimits.proposalsPerAnswerMax
            )
            let votes = try decoder.readArray(of: Vote.self, field: "votes", max: ChainSyncLimits.votesPerAnswerMax)
            self = .consensus(proposals: proposals, votes: votes)
        default:
            throw .invalidEnum(type: "ChainResponse", raw: UInt64(tag))
        }
    }
}
