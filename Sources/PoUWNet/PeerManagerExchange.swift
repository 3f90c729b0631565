/// The payload of a `FrameType.peerExchange` frame and the check a signed peer record must pass
/// before anything in it is used.
public import PoUWCore
public import PoUWWire
public import PoUWCrypto

/// Signed `PeerRecord`s (envelopes of kind `.peerRecord`): the sender's own record first, then
/// records of other peers it knows. Encoded with PoUWWire: a varint count, then the envelopes.
public struct PeerExchangeMessage: Hashable, Sendable, WireCodable {
    /// Most records in one message.
    public static let recordsMax = 64

    public var records: [SignedEnvelope]

    /// - Precondition: at most `recordsMax` records.
    public init(records: [SignedEnvelope]) {
        precondition(records.count <= Self.recordsMax, "at most \(Self.recordsMax) records per peer exchange")
        self.records = records
    }

    public static var encodedBytesMin: Int { 1 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeArray(records, field: "PeerExchangeMessage.records", max: Self.recordsMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        records = try decoder.readArray(of: SignedEnvelope.self, field: "PeerExchangeMessage.records",
                                        max: Self.recordsMax)
    }
}

/// Why a signed peer record was refused.
public enum PeerRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The envelope is not of kind `.peerRecord` for our chain, or its signature does not verify.
    case badSignature
    /// The payload is not a `PeerRecord`.
    case malformed
    /// The record names another node than the one that signed it.
    case signerMismatch

    public var description: String {
        switch self {
        case .badSignature: "peer record is not signed for this chain by its signer: drop it"
        case .malformed: "peer record payload does not decode: drop it"
        case .signerMismatch: "peer record describes another node than its signer: drop it"
        }
    }
}

extension PeerRecord {
    /// Signs `self` as an envelope of kind `.peerRecord` for `chainId`.
    /// - Precondition: `keyPair.publicKey == nodeKey`.
    public func signed(chainId: String, by keyPair: KeyPair) -> SignedEnvelope {
        precondition(keyPair.publicKey == nodeKey, "a peer record is signed by the node it describes")
        return SignedEnvelope(signing: Wire.encode(self), kind: .peerRecord, chainId: chainId, by: keyPair)
    }

    /// The record in `envelope`, after checking the chain, kind, signature and that the signer is
    /// the node described.
    /// - Throws: `PeerRecordError`.
    public static func verified(_ envelope: SignedEnvelope, chainId: String) throws(PeerRecordError) -> PeerRecord {
        do {
            try envelope.verify(chainId: chainId, kind: .peerRecord)
        } catch {
            throw .badSignature
        }
        let record: PeerRecord
        do {
            record = try Wire.decode(PeerRecord.self, from: envelope.payload)
        } catch {
            throw .malformed
        }
        guard record.nodeKey == envelope.signer else { throw .signerMismatch }
        return record
    }
}

extension PeerExchangeMessage {
    /// The frame payload: the PoUWWire message bytes.
    public var encoded: [UInt8] { Wire.encode(self) }

    /// Decodes a frame payload (the records still need `PeerRecord.verified`).
    /// - Throws: `PeerRecordError.malformed`.
    public init(decoding bytes: [UInt8]) throws(PeerRecordError) {
        do {
            self = try Wire.decode(PeerExchangeMessage.self, from: bytes)
        } catch {
            throw .malformed
        }
    }
}
