// The canonical binary encoding of the pouw protocol (wire version 1). Mirrored in docs/wire.md.
//
// Every value has exactly one encoding, and a decoder accepts exactly those encodings, so
// `encode(decode(b)) == b` for every accepted `b`: hashes and signatures over encoded bytes are
// well defined, and two nodes never disagree about what a message says.
//
// Message
//   A message is one version byte (`Version.wire`, currently 0x01) followed by one encoded value.
//   The value must consume the rest of the input: trailing bytes are an error. A whole message is
//   at most `Limits.frameBytesMax` bytes.
//
// Primitives
//   u8, u16, u32, u64   fixed width, little-endian (u16 258 = 02 01).
//   i32                 fixed width, little-endian two's complement (-1 = ff ff ff ff).
//   varint              unsigned LEB128: 7 bits per byte, least significant group first, high bit set
//                       on every byte but the last. Used only for lengths and counts. Canonical: the
//                       shortest form (no final 0x00 group after the first byte) and at most 64 bits
//                       (at most 10 bytes; a 10th byte must be 0x00 or 0x01, and 0x00 is not minimal).
//                       0 = 00, 127 = 7f, 128 = 80 01, 300 = ac 02, 2^64-1 = ff ff ff ff ff ff ff ff ff 01.
//   bool                exactly one byte, 0x00 (false) or 0x01 (true).
//   bytes               varint length, then that many bytes.
//   string              varint length in bytes, then that many bytes of well-formed UTF-8.
//   fixed bytes         exactly N bytes, no prefix: Hash32 (32), PublicKey (32), Signature (64).
//   array               varint count, then each element.
//   optional            0x00 (absent), or 0x01 followed by the value.
//   enum                its raw value, as the fixed-width integer of its raw type (MessageKind: u16).
//   tagged union        a u8 tag, then the fields of that case in order; an unknown tag is an error.
//   struct              its fields in declaration order, nothing between them.
//
// Limits
//   Every variable-length field has a maximum supplied where it is decoded (the constants of
//   `PoUWCore.Limits`). The decoder checks a length against the maximum, and against the bytes that
//   remain, before it allocates anything, so a short input can never make it reserve much memory.
//
// Protocol types
//   Hash32          fixed 32
//   PublicKey       fixed 32 (the curve point is not checked here; PoUWCrypto does that)
//   Signature       fixed 64
//   MessageKind     u16
//   MerkleProof     leafIndex u64, leafCount u64, siblings array<Hash32> (count <= merkleProofDepthMax)
//                   leafCount 0 requires leafIndex 0 and no siblings; otherwise leafIndex < leafCount and
//                   the siblings are at most the tree's height, ceil(log2(leafCount)).
//   SignedEnvelope  chainId string (<= chainIdBytesMax), kind MessageKind, payload bytes
//                   (<= envelopePayloadBytesMax), signer PublicKey, signature Signature
//   PeerRecord      nodeKey PublicKey, addresses array<string> (count <= peerAddressesMax, each
//                   <= peerAddressBytesMax), sequence u64, unixMilliseconds u64
//
// Consensus types (PoUWConsensus; signatures cover the encoding without the trailing signature)
//   VoteKind          u8: 1 prevote, 2 precommit
//   BatchCommitment   root Hash32, receiptCount u64, promptTokens u64, completionTokens u64
//   Vote              kind VoteKind, height u64, round u32, blockHash optional<Hash32>, voter PublicKey,
//                     attestation BatchCommitment, signature Signature
//   Proposal          height u64, round u32, polRound i32, blockHash Hash32, proposer PublicKey, signature
//   CommitCertificate height u64, round u32, blockHash Hash32, precommits array<Vote> (<= 256)
//   ConsensusStep     u8: 0 propose, 1 prevote, 2 precommit
//   TimeoutEvent      step ConsensusStep, height u64, round u32
//   WALRecord         tagged: 1 proposal(Proposal, valid bool), 2 vote(Vote), 3 timeout(TimeoutEvent),
//                     4 proposalValue(height u64, round u32, blockHash Hash32), 5 ownProposal(Proposal),
//                     6 ownVote(Vote)
//
// Chain types (PoUWChain; bounds in ChainLimits)
//   HostInfo          models array<string> (<= 16, each <= 128 bytes), apiEndpoint string (<= 256),
//                     hardwareClass string (<= 64)
//   TransactionBody   tagged: 1 transfer(to PublicKey, amount u64), 2 bond(amount u64), 3 unbond(amount u64),
//                     4 registerHost(HostInfo), 5 sprintCommit(epoch u64, root Hash32, count u64),
//                     6 sprintVerdict(epoch u64, participant PublicKey, passed bool)
//   Transaction       chainId string (<= 48), sender PublicKey, nonce u64, fee u64, body TransactionBody
//   SignedTransaction transaction Transaction, signature Signature; <= 4096 bytes, well-formed chain id
//   BlockHeader       chainId string (<= 48), height u64, timeMilliseconds u64, previousHash Hash32,
//                     proposer PublicKey, epoch u64, stateCommitment Hash32, transactionsRoot Hash32,
//                     receiptsRoot Hash32, lastCommitHash Hash32
//   Block             header BlockHeader, transactions array<SignedTransaction> (<= 10,000),
//                     lastCommit optional<CommitCertificate>; the block message is <= 4 MiB
//
// Sprint proofs (PoUWWork)
//   SprintProof       nonce u64, artifactHash Hash32, merkle MerkleProof (merkle.leafIndex == nonce)
//
// Node messages (PoUWNode, ChainMessages.swift)
//   ProposalMessage   proposal Proposal, block Block
//   CommittedBlock    block Block, commit CommitCertificate
//   ChainRequest      tagged: 1 head, 2 blocks(from u64, count u32 <= 32),
//                     3 sprintProofs(epoch u64, nonces array<u64> (<= 64))
//   ChainResponse     tagged: 1 head(height u64, hash Hash32), 2 blocks(array<CommittedBlock> (<= 32)),
//                     3 sprintProofs(array<SprintProof> (<= 64))

import PoUWCore

/// Entry points: whole messages with their version byte.
public enum Wire {
    /// The message bytes of `value`: the version byte, then the value's encoding.
    ///
    /// - Precondition: `value` is within the protocol limits and the message fits in
    ///   `Limits.frameBytesMax` (building an over-limit value is a programmer error; check first).
    public static func encode(_ value: some WireCodable) -> [UInt8] {
        var encoder = WireEncoder()
        encoder.writeUInt8(Version.wire)
        value.encode(to: &encoder)
        precondition(
            encoder.bytes.count <= Limits.frameBytesMax,
            "encoded message is \(encoder.bytes.count) bytes, above Limits.frameBytesMax \(Limits.frameBytesMax)"
        )
        return encoder.bytes
    }

    /// Decodes a whole message as a `T`: checks the version byte, decodes, and requires that every
    /// byte was consumed.
    public static func decode<T: WireCodable>(_ type: T.Type, from bytes: [UInt8]) throws(WireError) -> T {
        let result: Result<T, WireError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(WireError) -> T in try decode(type, from: buffer) }
        }
        return try result.get()
    }

    /// Decodes a whole message held in `buffer`; see `decode(_:from:)` for arrays.
    public static func decode<T: WireCodable>(
        _ type: T.Type, from buffer: UnsafeRawBufferPointer
    ) throws(WireError) -> T {
        guard buffer.count <= Limits.frameBytesMax else {
            throw .lengthExceeded(field: "message", max: Limits.frameBytesMax, actual: UInt64(buffer.count))
        }
        var decoder = WireDecoder(buffer)
        let version = try decoder.readUInt8()
        guard version == Version.wire else {
            throw .unsupportedVersion(got: version, supported: Version.wire)
        }
        let value = try T(from: &decoder)
        try decoder.finish()
        return value
    }
}
