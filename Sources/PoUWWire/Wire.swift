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
