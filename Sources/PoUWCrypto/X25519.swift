/// X25519 Diffie-Hellman (RFC 7748): the key agreement of the Noise handshake.
public import PoUWCore
internal import CSodium

/// An X25519 key pair: a 32-byte private scalar and its public u-coordinate. `description` shows
/// only the public key.
public struct X25519KeyPair: Sendable, CustomStringConvertible {
    /// Length of a private key, a public key and a shared secret, in bytes.
    public static let byteCount = 32

    public let publicKey: [UInt8]
    /// The private scalar, as given (clamping happens inside every scalar multiplication).
    public let privateKey: [UInt8]

    /// The key pair of `privateKey` (deterministic: for known-answer tests and injected keys).
    /// - Precondition: `privateKey.count == X25519KeyPair.byteCount`.
    public init(privateKey: [UInt8]) {
        precondition(privateKey.count == Self.byteCount, "an X25519 private key is 32 bytes, got \(privateKey.count)")
        Sodium.ready()
        var publicBytes = [UInt8](repeating: 0, count: Self.byteCount)
        let status = crypto_scalarmult_curve25519_base(&publicBytes, privateKey)
        precondition(status == 0, "crypto_scalarmult_curve25519_base failed")
        self.publicKey = publicBytes
        self.privateKey = privateKey
    }

    /// A fresh key pair with 32 bytes of `entropy` as the private key.
    public static func generate(entropy: any Entropy) -> X25519KeyPair {
        var privateBytes = [UInt8](repeating: 0, count: byteCount)
        entropy.fill(&privateBytes)
        return X25519KeyPair(privateKey: privateBytes)
    }

    /// The shared secret X25519(private key, `peerPublicKey`).
    /// - Throws: `X25519Error.lowOrderPoint` when `peerPublicKey` is one of the known points of
    ///   order 1, 2, 4 or 8 (in either value of the unused top bit) or the result is all zeros:
    ///   such a "secret" is known to everyone (the 2018 Tendermint MITM).
    /// - Precondition: `peerPublicKey.count == X25519KeyPair.byteCount`.
    public func sharedSecret(with peerPublicKey: [UInt8]) throws(X25519Error) -> [UInt8] {
        precondition(peerPublicKey.count == Self.byteCount,
                     "an X25519 public key is 32 bytes, got \(peerPublicKey.count)")
        guard !X25519.isLowOrder(peerPublicKey) else { throw .lowOrderPoint }
        var secret = [UInt8](repeating: 0, count: Self.byteCount)
        // libsodium returns -1 for an all-zero result; the zero test below says the same again.
        let status = crypto_scalarmult_curve25519(&secret, privateKey, peerPublicKey)
        let allZero = secret.withUnsafeBufferPointer { sodium_is_zero($0.baseAddress!, $0.count) == 1 }
        guard status == 0, !allZero else { throw .lowOrderPoint }
        return secret
    }

    public var description: String { "X25519KeyPair(publicKey: \(Hex.encode(publicKey)))" }
}

/// Facts about X25519 public keys.
public enum X25519 {
    /// The encodings (top bit clear) of the points of small order on Curve25519 and its twist, as
    /// libsodium lists them: 0, 1, two points of order 8, p - 1, p and p + 1.
    public static let lowOrderPoints: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [1] + [UInt8](repeating: 0, count: 31),
        [0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
         0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00],
        [0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef, 0x5b,
         0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57],
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    /// Whether `publicKey`, with its top bit ignored (RFC 7748 §5 masks it), is a low-order point.
    public static func isLowOrder(_ publicKey: [UInt8]) -> Bool {
        guard publicKey.count == X25519KeyPair.byteCount else { return false }
        var masked = publicKey
        masked[31] &= 0x7f
        return lowOrderPoints.contains { ConstantTime.equals($0, masked) }
    }
}

/// Why an X25519 key agreement was refused.
public enum X25519Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer's public key is a point of small order, so the shared secret would be predictable.
    case lowOrderPoint

    public var description: String {
        "peer sent a low-order X25519 public key (the shared secret would be public): drop the peer"
    }
}
