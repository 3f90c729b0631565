/// A receipt with the host's signature and the gateway's co-signature, as it is gossiped and as blocks
/// will hold it.
public import PoUWCore
public import PoUWCrypto
public import PoUWWire

/// An inference receipt signed by its host and co-signed by its gateway, both under
/// `MessageKind.receipt` on chain `receipt.chainId` (PoUWCrypto's domain-separated signing):
///
/// - `hostSignature` by `receipt.host` over `receipt.signingPayload` (the body);
/// - `gatewaySignature` by `receipt.gateway` over `gatewaySigningPayload` (body ‖ host signature), so
///   the gateway vouches for exactly this host signature as well as the body.
///
/// The body encoding is self-delimiting, so (body ‖ 64 bytes) is never the body of another receipt:
/// neither signature can be presented as the other, even when one key plays both roles.
public struct SignedReceipt: Hashable, Sendable {
    public var receipt: InferenceReceipt
    public var hostSignature: Signature
    public var gatewaySignature: Signature

    public init(receipt: InferenceReceipt, hostSignature: Signature, gatewaySignature: Signature) {
        self.receipt = receipt
        self.hostSignature = hostSignature
        self.gatewaySignature = gatewaySignature
    }

    /// The receipt id (`receipt.id`); the signatures are not part of it.
    public var id: Hash32 { receipt.id }

    /// The bytes the gateway signs: the receipt body followed by the host's 64-byte signature.
    public static func gatewaySigningPayload(_ receipt: InferenceReceipt, hostSignature: Signature) -> [UInt8] {
        receipt.signingPayload + hostSignature.bytes
    }

    /// The host's signature over `receipt`, made on the host.
    /// - Precondition: `key.publicKey == receipt.host`; `receipt.violation == nil`.
    public static func hostSignature(for receipt: InferenceReceipt, with key: KeyPair) -> Signature {
        precondition(key.publicKey == receipt.host, "a receipt is signed by its host's key")
        return key.sign(payload: receipt.signingPayload, kind: .receipt, chainId: receipt.chainId)
    }

    /// The gateway's step: checks the host's signature, then co-signs.
    /// - Throws: `.badHostSignature` when `hostSignature` does not verify under `receipt.host`.
    /// - Precondition: `key.publicKey == receipt.gateway`; `receipt.violation == nil`.
    public static func countersign(
        _ receipt: InferenceReceipt, hostSignature: Signature, with key: KeyPair
    ) throws(ReceiptError) -> SignedReceipt {
        precondition(key.publicKey == receipt.gateway, "a receipt is co-signed by its gateway's key")
        try verifyHost(receipt, hostSignature: hostSignature)
        let payload = gatewaySigningPayload(receipt, hostSignature: hostSignature)
        let gatewaySignature = key.sign(payload: payload, kind: .receipt, chainId: receipt.chainId)
        return SignedReceipt(receipt: receipt, hostSignature: hostSignature, gatewaySignature: gatewaySignature)
    }

    /// Both signatures at once, for tests and for a node that is host and gateway of one request.
    /// - Precondition: the keys are the receipt's host and gateway; `receipt.violation == nil`.
    public static func sign(_ receipt: InferenceReceipt, host: KeyPair, gateway: KeyPair) -> SignedReceipt {
        let hostSignature = hostSignature(for: receipt, with: host)
        precondition(gateway.publicKey == receipt.gateway, "a receipt is co-signed by its gateway's key")
        let payload = gatewaySigningPayload(receipt, hostSignature: hostSignature)
        let gatewaySignature = gateway.sign(payload: payload, kind: .receipt, chainId: receipt.chainId)
        return SignedReceipt(receipt: receipt, hostSignature: hostSignature, gatewaySignature: gatewaySignature)
    }

    /// Checks the receipt for chain `chainId`: the chain id, the receipt's bounds, then the host's
    /// signature, then the gateway's.
    /// - Throws: `.wrongChainId`, `.invalidReceipt`, `.badHostSignature` or `.badGatewaySignature`.
    public func verify(chainId: String) throws(ReceiptError) {
        guard receipt.chainId == chainId else { throw .wrongChainId(expected: chainId, actual: receipt.chainId) }
        if let reason = receipt.violation { throw .invalidReceipt(reason: reason) }
        try Self.verifyHost(receipt, hostSignature: hostSignature)
        do {
            try Ed25519.verify(
                gatewaySignature, payload: Self.gatewaySigningPayload(receipt, hostSignature: hostSignature),
                kind: .receipt, chainId: receipt.chainId, publicKey: receipt.gateway
            )
        } catch {
            throw .badGatewaySignature(receipt: receipt.id)
        }
    }

    private static func verifyHost(_ receipt: InferenceReceipt, hostSignature: Signature) throws(ReceiptError) {
        if let reason = receipt.violation { throw .invalidReceipt(reason: reason) }
        do {
            try Ed25519.verify(
                hostSignature, payload: receipt.signingPayload, kind: .receipt, chainId: receipt.chainId,
                publicKey: receipt.host
            )
        } catch {
            throw .badHostSignature(receipt: receipt.id)
        }
    }
}

extension SignedReceipt: WireCodable {
    public static var encodedBytesMin: Int { InferenceReceipt.encodedBytesMin + 2 * Signature.byteCount }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(receipt)
        encoder.write(hostSignature)
        encoder.write(gatewaySignature)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        receipt = try decoder.read(InferenceReceipt.self)
        hostSignature = try decoder.read(Signature.self)
        gatewaySignature = try decoder.read(Signature.self)
    }
}
