/// The write-ahead log of one height: every input that changed the core's state, and every message the
/// node signed. `ConsensusCore.restore` replays the inputs and reuses the signed messages, so a restarted
/// node is in the state it crashed in and never signs a second, conflicting message.
public import PoUWCore
public import PoUWWire

/// One entry of the consensus write-ahead log.
public enum WALRecord: Hashable, Sendable {
    /// A received proposal and the driver's verdict on its block.
    case proposal(Proposal, valid: Bool)
    /// A received vote.
    case vote(Vote)
    /// A timeout that fired and changed the state.
    case timeout(TimeoutEvent)
    /// The driver's answer to `buildProposal`.
    case proposalValue(height: UInt64, round: UInt32, blockHash: Hash32)
    /// A proposal this node signed.
    case ownProposal(Proposal)
    /// A vote this node signed.
    case ownVote(Vote)

    /// The height the record belongs to.
    public var height: UInt64 {
        switch self {
        case .proposal(let proposal, _), .ownProposal(let proposal): proposal.height
        case .vote(let vote), .ownVote(let vote): vote.height
        case .timeout(let timeout): timeout.height
        case .proposalValue(let height, _, _): height
        }
    }

    /// The input event the record stands for; `nil` for this node's own messages.
    public var event: ConsensusEvent? {
        switch self {
        case let .proposal(proposal, valid): .proposal(proposal, valid: valid)
        case .vote(let vote): .vote(vote)
        case .timeout(let timeout): .timeout(timeout)
        case let .proposalValue(height, round, blockHash):
            .proposalValue(height: height, round: round, blockHash: blockHash)
        case .ownProposal, .ownVote: nil
        }
    }

    /// The record of an input event.
    public init(_ event: ConsensusEvent) {
        switch event {
        case let .proposal(proposal, valid): self = .proposal(proposal, valid: valid)
        case .vote(let vote): self = .vote(vote)
        case .timeout(let timeout): self = .timeout(timeout)
        case let .proposalValue(height, round, blockHash):
            self = .proposalValue(height: height, round: round, blockHash: blockHash)
        }
    }
}

// Wire: a u8 tag, then the case's fields in order.
//   1 proposal(Proposal, valid bool)   2 vote(Vote)   3 timeout(TimeoutEvent)
//   4 proposalValue(height u64, round u32, blockHash Hash32)   5 ownProposal(Proposal)   6 ownVote(Vote)
extension WALRecord: WireCodable {
    public static var encodedBytesMin: Int { 1 + TimeoutEvent.encodedBytesMin }

    public func encode(to encoder: inout WireEncoder) {
        switch self {
        case let .proposal(proposal, valid):
            encoder.writeUInt8(1)
            encoder.write(proposal)
            encoder.writeBool(valid)
        case .vote(let vote):
            encoder.writeUInt8(2)
            encoder.write(vote)
        case .timeout(let timeout):
            encoder.writeUInt8(3)
            encoder.write(timeout)
        case let .proposalValue(height, round, blockHash):
            encoder.writeUInt8(4)
            encoder.writeUInt64(height)
            encoder.writeUInt32(round)
            encoder.write(blockHash)
        case .ownProposal(let proposal):
            encoder.writeUInt8(5)
            encoder.write(proposal)
        case .ownVote(let vote):
            encoder.writeUInt8(6)
            encoder.write(vote)
        }
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        let tag = try decoder.readUInt8()
        switch tag {
        case 1: self = .proposal(try decoder.read(Proposal.self), valid: try decoder.readBool())
        case 2: self = .vote(try decoder.read(Vote.self))
        case 3: self = .timeout(try decoder.read(TimeoutEvent.self))
        case 4:
            self = .proposalValue(
                height: try decoder.readUInt64(), round: try decoder.readUInt32(),
                blockHash: try decoder.read(Hash32.self))
        case 5: self = .ownProposal(try decoder.read(Proposal.self))
        case 6: self = .ownVote(try decoder.read(Vote.self))
        default: throw .invalidEnum(type: "WALRecord", raw: UInt64(tag))
        }
    }
}
