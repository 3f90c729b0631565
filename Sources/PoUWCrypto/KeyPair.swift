/// An Ed25519 identity: the secret seed and the public key derived from it.
public import PoUWCore
internal import CSodium

/// An Ed25519 key pair (RFC 8032). The 32-byte seed is the whole secret; the public key and
/// libsodium's 64-byte secret key are derived from it. `description` shows only the public key, so
/// logging a key pair never leaks the seed.
///
/// Protocol messages are signed with `sign(payload:kind:chainId:)` (domain-separated, see
/// `SigningDomain`); `signRaw` exists for known-answer tests and self-describing transcripts.
public struct KeyPair: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let seedByteCount = 32

    /// The secret seed. Keep it in memory only as long as needed; persist it with `KeyFile`.
    public let seed: [UInt8]
    public let publicKey: PublicKey
    /// libsodium's secret key: seed || public key.
    private let secretKey: [UInt8]

    /// The key pair of `seed` (deterministic).
    /// - Precondition: `seed.count == KeyPair.seedByteCount`.
    public init(seed: [UInt8]) {
        precondition(seed.count == KeyPair.seedByteCount, "an Ed25519 seed is 32 bytes, got \(seed.count)")
        Sodium.ready()
        var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
        var secretBytes = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        let status = crypto_sign_seed_keypair(&publicBytes, &secretBytes, seed)
        precondition(status == 0, "crypto_sign_seed_keypair failed")
        self.seed = seed
        self.publicKey = PublicKey(publicBytes)
        self.secretKey = secretBytes
        precondition(Ed25519.isValidPublicKey(publicKey), "a derived public key is always a valid point")
    }

    /// A fresh key pair from the operating system's CSPRNG.
    public static func generate() -> KeyPair {
        KeyPair(seed: SystemEntropy.bytes(count: seedByteCount))
    }

    /// The plain Ed25519 signature of `message`, with NO domain separation. Only for known-answer
    /// tests and for protocols that sign their own self-describing transcript (Noise); every
    /// protocol message uses `sign(payload:kind:chainId:)`.
    public func signRaw(_ message: some Sequence<UInt8>) -> Signature {
        var signature = [UInt8](repeating: 0, count: Signature.byteCount)
        let status = message.withContiguousBytes { input in
            crypto_sign_detached(&signature, nil, input.baseAddress, UInt64(input.count), secretKey)
        }
        precondition(status == 0, "crypto_sign_detached failed")
        return Signature(signature)
    }

    /// The signature of `payload` as a message of `kind` on chain `chainId`: a raw signature over
    /// `SigningDomain.signedBytes(payload:kind:chainId:)`. Verify with `Ed25519.verify`.
    /// - Precondition: `chainId` is a valid chain id (see `SigningDomain`).
    public func sign(payload: some Collection<UInt8>, kind: MessageKind, chainId: String) -> Signature {
        signRaw(SigningDomain.signedBytes(payload: payload, kind: kind, chainId: chainId))
    }

    public var description: String { "KeyPair(publicKey: \(publicKey))" }
    public var debugDescription: String { description }
}
