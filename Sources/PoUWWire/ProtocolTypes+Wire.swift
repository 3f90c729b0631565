/// Wire conformances of the PoUWCore protocol types. Layouts are listed at the top of Wire.swift.

public import PoUWCore

extension Hash32: WireCodable {
    public static var encodedBytesMin: Int { byteCount }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeFixedBytes(bytes, count: Self.byteCount)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        self.init(try decoder.readFixedBytes(count: Self.byteCount))
    }
}

extension PublicKey: WireCodable {
    public static var encodedBytesMin: Int { byteCount }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeFixedBytes(bytes, count: Self.byteCount)
    }

    /// Reads 32 bytes. This does NOT check that they are a valid Ed25519 point: that is PoUWCrypto's
    /// job, and every signature verification must do it before trusting the key.
    public init(from decoder: inout WireDecoder) throws(WireError) {
        self.init(try decoder.readFixedBytes(count: Self.byteCount))
    }
}

extension Signature: WireCodable {
    public static var encodedBytesMin: Int { byteCount }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeFixedBytes(bytes, count: Self.byteCount)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        self.init(try decoder.readFixedBytes(count: Self.byteCount))
    }
}

extension MessageKind: WireCodable {
    public static var encodedBytesMin: Int { MemoryLayout<RawValue>.size }

    public func encode(to encoder: inout WireEncoder) { encoder.writeEnum(self) }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        self = try decoder.readEnum(MessageKind.self)
    }
}

extension MerkleProof: WireCodable {
    public static var encodedBytesMin: Int { 8 + 8 + 1 }

    public func encode(to encoder: inout WireEncoder) {
        if let reason = Self.shapeViolation(leafIndex: leafIndex, leafCount: leafCount, siblingCount: siblings.count) {
            preconditionFailure("MerkleProof cannot be encoded: \(reason)")
        }
        encoder.writeUInt64(leafIndex)
        encoder.writeUInt64(leafCount)
        encoder.writeArray(siblings, field: "MerkleProof.siblings", max: Limits.merkleProofDepthMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        let leafIndex = try decoder.readUInt64()
        let leafCount = try decoder.readUInt64()
        let siblings = try decoder.readArray(
            of: Hash32.self, field: "MerkleProof.siblings", max: Limits.merkleProofDepthMax
        )
        if let reason = Self.shapeViolation(leafIndex: leafIndex, leafCount: leafCount, siblingCount: siblings.count) {
            throw .invalidValue(field: "MerkleProof", reason: reason)
        }
        self.init(leafIndex: leafIndex, leafCount: leafCount, siblings: siblings)
    }

    /// Why these numbers cannot describe a proof in any binary Merkle tree, or `nil` if they can: an
    /// empty tree has only the empty proof (index 0, no siblings); otherwise the leaf must exist and
    /// there is at most one sibling per level above the leaves, ceil(log2(leafCount)) levels.
    static func shapeViolation(leafIndex: UInt64, leafCount: UInt64, siblingCount: Int) -> String? {
        if leafCount == 0 {
            guard leafIndex == 0 && siblingCount == 0 else {
                return "a proof for an empty tree must have leafIndex 0 and no siblings, "
                    + "got leafIndex \(leafIndex) and \(siblingCount) siblings"
            }
            return nil
        }
        guard leafIndex < leafCount else {
            return "leafIndex \(leafIndex) is not below leafCount \(leafCount)"
        }
        let heightMax = leafCount == 1 ? 0 : UInt64.bitWidth - (leafCount - 1).leadingZeroBitCount
        guard siblingCount <= heightMax else {
            return "\(siblingCount) siblings, but a tree of \(leafCount) leaves has only \(heightMax) levels"
        }
        return nil
    }
}

extension SignedEnvelope: WireCodable {
    public static var encodedBytesMin: Int {
        1 + MessageKind.encodedBytesMin + 1 + PublicKey.byteCount + Signature.byteCount
    }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeString(chainId, field: "SignedEnvelope.chainId", max: Limits.chainIdBytesMax)
        encoder.write(kind)
        encoder.writeBytes(payload, field: "SignedEnvelope.payload", max: Limits.envelopePayloadBytesMax)
        encoder.write(signer)
        encoder.write(signature)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        let chainId = try decoder.readString(field: "SignedEnvelope.chainId", max: Limits.chainIdBytesMax)
        let kind = try decoder.read(MessageKind.self)
        let payload = try decoder.readBytes(field: "SignedEnvelope.payload", max: Limits.envelopePayloadBytesMax)
        let signer = try decoder.read(PublicKey.self)
        let signature = try decoder.read(Signature.self)
        self.init(chainId: chainId, kind: kind, payload: payload, signer: signer, signature: signature)
    }
}

extension PeerRecord: WireCodable {
    public static var encodedBytesMin: Int { PublicKey.byteCount + 1 + 8 + 8 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(nodeKey)
        encoder.writeArray(addresses, field: "PeerRecord.addresses", max: Limits.peerAddressesMax) { encoder, address in
            encoder.writeString(address, field: "PeerRecord.addresses[]", max: Limits.peerAddressBytesMax)
        }
        encoder.writeUInt64(sequence)
        encoder.writeUInt64(unixMilliseconds)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        let nodeKey = try decoder.read(PublicKey.self)
        let addresses = try decoder.readArray(
            field: "PeerRecord.addresses", max: Limits.peerAddressesMax, elementBytesMin: 1
        ) { (decoder) throws(WireError) in
            try decoder.readString(field: "PeerRecord.addresses[]", max: Limits.peerAddressBytesMax)
        }
        let sequence = try decoder.readUInt64()
        let unixMilliseconds = try decoder.readUInt64()
        self.init(nodeKey: nodeKey, addresses: addresses, sequence: sequence, unixMilliseconds: unixMilliseconds)
    }
}
