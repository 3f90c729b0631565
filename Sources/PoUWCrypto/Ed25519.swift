/// Ed25519 verification and public-key validation (libsodium). Signing lives on `KeyPair`.
public import PoUWCore
internal import CSodium

/// Verification for Ed25519 (RFC 8032) signatures.
///
/// Every verification first validates the public key: a key is accepted only if
/// `crypto_core_ed25519_is_valid_point` accepts it (a canonical encoding of a point of the
/// prime-order subgroup, not of small order). Small-order keys would let one signature verify for
/// many messages; rejecting them keeps signatures binding.
public enum Ed25519 {
    /// Whether `key` is a valid Ed25519 public key (see the type's documentation).
    public static func isValidPublicKey(_ key: PublicKey) -> Bool {
        Sodium.ready()
        return key.bytes.withUnsafeBufferPointer { crypto_core_ed25519_is_valid_point($0.baseAddress!) == 1 }
    }

    /// Throws `CryptoError.invalidPublicKey` unless `key` is a valid Ed25519 public key.
    public static func validate(_ key: PublicKey) throws(CryptoError) {
        guard isValidPublicKey(key) else { throw .invalidPublicKey }
    }

    /// Verifies a signature over `payload` made with `KeyPair.sign(payload:kind:chainId:)`, that is
    /// over `SigningDomain.signedBytes(payload:kind:chainId:)`. A signature made for another chain
    /// or kind fails as `.badSignature`: those are part of the signed bytes.
    /// - Throws: `.invalidPublicKey`, then `.badSignature`.
    /// - Precondition: `chainId` is a valid chain id (see `SigningDomain`).
    public static func verify(
        _ signature: Signature, payload: some Collection<UInt8>, kind: MessageKind, chainId: String,
        publicKey: PublicKey
    ) throws(CryptoError) {
        let message = SigningDomain.signedBytes(payload: payload, kind: kind, chainId: chainId)
        try verifyRaw(signature, message: message, publicKey: publicKey)
    }

    /// Verifies a plain Ed25519 signature over `message`, with NO domain separation: the message is
    /// exactly what was signed. For known-answer tests and for protocols that sign their own
    /// transcript (the Noise handshake). Protocol messages use `verify(_:payload:kind:chainId:publicKey:)`.
    /// - Throws: `.invalidPublicKey`, then `.badSignature`.
    public static func verifyRaw(
        _ signature: Signature, message: some Sequence<UInt8>, publicKey: PublicKey
    ) throws(CryptoError) {
        try validate(publicKey)
        let status = message.withContiguousBytes { input in
            signature.bytes.withUnsafeBufferPointer { sig in
                publicKey.bytes.withUnsafeBufferPointer { key in
                    crypto_sign_verify_detached(
                        sig.baseAddress!, input.baseAddress, UInt64(input.count), key.baseAddress!)
                }
            }
        }
        guard status == 0 else { throw .badSignature }
    }
}
