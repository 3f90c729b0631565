/// The messages of the consensus protocol (docs/protocol.md): proposals, prevotes and precommits, and
/// the commit certificate that proves a block final. Plain data with one canonical wire encoding; the
/// signature covers `signingPayload` under the message's `MessageKind` and the chain id (PoUWCrypto's
/// domain-separated signing). This module never verifies signatures: the node driver does, before a
/// message reaches the state machine.
public import PoUWCore
public import PoUWWire

/// The two voting steps of a round.
public enum VoteKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case prevote = 1
    case precommit = 2

    public var description: String { self == .prevote ? "prevote" : "precommit" }
}

/// A voter's commitment to the inference work it served (or verified) since its previous attestation:
/// the Merkle root and count of its receipts and their token totals. Empty until the market exists.
public struct BatchCommitment: Hashable, Sendable {
    public var root: Hash32
    public var receiptCount: UInt64
    public var promptTokens: UInt64
    public var completionTokens: UInt64

    public init(root: Hash32, receiptCount: UInt64, promptTokens: UInt64, completionTokens: UInt64) {
        self.root = root
        self.receiptCount = receiptCount
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// No work attested.
    public static let empty = BatchCommitment(root: .zero, receiptCount: 0, promptTokens: 0, completionTokens: 0)
}

/// A signed prevote or precommit. `blockHash == nil` is a vote for nil. A precommit is an
/// *attestation*: it carries the voter's batch commitment; a prevote always carries `.empty`.
public struct Vote: Hashable, Sendable {
    public var kind: VoteKind
    public var height: UInt64
    public var round: UInt32
    public var blockHash: Hash32?
    public var voter: PublicKey
    public var attestation: BatchCommitment
    public var signature: Signature

    public init(
        kind: VoteKind, height: UInt64, round: UInt32, blockHash: Hash32?, voter: PublicKey,
        attestation: BatchCommitment = .empty, signature: Signature = Signature.unsigned
    ) {
        self.kind = kind
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.voter = voter
        self.attestation = attestation
        self.signature = signature
    }

    /// The bytes the voter signs under `MessageKind.vote`: every field but the signature.
    public var signingPayload: [UInt8] {
        var encoder = WireEncoder(reservingCapacity: 160)
        encodeUnsigned(to: &encoder)
        return encoder.bytes
    }

    func encodeUnsigned(to encoder: inout WireEncoder) {
        encoder.writeEnum(kind)
        encoder.writeUInt64(height)
        encoder.writeUInt32(round)
        encoder.writeOptional(blockHash)
        encoder.write(voter)
        encoder.write(attestation)
    }
}

/// A signed proposal of the block `blockHash` for (height, round). `polRound` is the round of the proof
/// of lock (the paper's validRound) or -1. The block itself travels beside the proposal.
public struct Proposal: Hashable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var polRound: Int32
    public var blockHash: Hash32
    public var proposer: PublicKey
    public var signature: Signature

    public init(
        height: UInt64, round: UInt32, polRound: Int32, blockHash: Hash32, proposer: PublicKey,
        signature: Signature = Signature.unsigned
    ) {
        self.height = height
        self.round = round
        self.polRound = polRound
        self.blockHash = blockHash
        self.proposer = proposer
        self.signature = signature
    }

    /// The bytes the proposer signs under `MessageKind.proposal`: every field but the signature.
    public var signingPayload: [UInt8] {
        var encoder = WireEncoder(reservingCapacity: 96)
        encodeUnsigned(to: &encoder)
        return encoder.bytes
    }

    func encodeUnsigned(to encoder: inout WireEncoder) {
        encoder.writeUInt64(height)
        encoder.writeUInt32(round)
        encoder.writeInteger(polRound)
        encoder.write(blockHash)
        encoder.write(proposer)
    }
}

/// Proof that a block is final: precommits for (height, round, blockHash) from validators holding more
/// than 2/3 of the height's weight. Rides in the next block as its `lastCommit`.
public struct CommitCertificate: Hashable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var blockHash: Hash32
    /// Sorted by voter key, one per voter.
    public var precommits: [Vote]

    public init(height: UInt64, round: UInt32, blockHash: Hash32, precommits: [Vote]) {
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.precommits = precommits.sorted { $0.voter < $1.voter }
    }
}

extension Signature {
    /// The placeholder of a message not yet signed (all zero bytes; never a valid signature).
    public static let unsigned = Signature([UInt8](repeating: 0, count: Signature.byteCount))
}

/// Bounds of the consensus messages.
public enum ConsensusLimits {
    /// Validators in one set (and precommits in one certificate).
    public static let validatorsMax = 256
}

// MARK: - Wire

extension VoteKind: WireCodable {
    public static var encodedBytesMin: Int { 1 }
    public func encode(to encoder: inout WireEncoder) { encoder.writeEnum(self) }
    public init(from decoder: inout WireDecoder) throws(WireError) { self = try decoder.readEnum(VoteKind.self) }
}

extension BatchCommitment: WireCodable {
    public static var encodedBytesMin: Int { 32 + 24 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(root)
        encoder.writeUInt64(receiptCount)
        encoder.writeUInt64(promptTokens)
        encoder.writeUInt64(completionTokens)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        root = try decoder.read(Hash32.self)
        receiptCount = try decoder.readUInt64()
        promptTokens = try decoder.readUInt64()
        completionTokens = try decoder.readUInt64()
    }
}

extension Vote: WireCodable {
    public static var encodedBytesMin: Int { 1 + 8 + 4 + 1 + 32 + BatchCommitment.encodedBytesMin + 64 }

    public func encode(to encoder: inout WireEncoder) {
        encodeUnsigned(to: &encoder)
        encoder.write(signature)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        kind = try decoder.read(VoteKind.self)
        height = try decoder.readUInt64()
        round = try decoder.readUInt32()
        blockHash = try decoder.readOptional(Hash32.self, field: "vote.blockHash")
        voter = try decoder.read(PublicKey.self)
        attestation = try decoder.read(BatchCommitment.self)
        signature = try decoder.read(Signature.self)
    }
}

extension Proposal: WireCodable {
    public static var encodedBytesMin: Int { 8 + 4 + 4 + 32 + 32 + 64 }

    public func encode(to encoder: inout WireEncoder) {
        encodeUnsigned(to: &encoder)
        encoder.write(signature)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        height = try decoder.readUInt64()
        round = try decoder.readUInt32()
        polRound = try decoder.readInteger(Int32.self)
        blockHash = try decoder.read(Hash32.self)
        proposer = try decoder.read(PublicKey.self)
        signature = try decoder.read(Signature.self)
    }
}

extension CommitCertificate: WireCodable {
    public static var encodedBytesMin: Int { 8 + 4 + 32 + 1 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeUInt64(height)
        encoder.writeUInt32(round)
        encoder.write(blockHash)
        encoder.writeArray(precommits, field: "commit.precommits", max: ConsensusLimits.validatorsMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        height = try decoder.readUInt64()
        round = try decoder.readUInt32()
        blockHash = try decoder.read(Hash32.self)
        precommits = try decoder.readArray(
            of: Vote.self, field: "commit.precommits", max: ConsensusLimits.validatorsMax
        )
    }
}
