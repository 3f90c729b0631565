/// Why a key or a signature was not accepted.
public import PoUWCore

/// Rejections by `Ed25519` and `SignedEnvelope.verify`. All of them are properties of the input
/// (a peer's message, a user's key), never bugs, so they are thrown rather than trapped.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 32 bytes are not a canonical encoding of a point of the prime-order subgroup
    /// (`crypto_core_ed25519_is_valid_point` said no): small-order, off-curve or non-canonical.
    case invalidPublicKey
    /// The signature does not verify for this key and these signed bytes.
    case badSignature
    /// The envelope was signed for another chain.
    case wrongChain(expected: String, actual: String)
    /// The envelope carries another kind of message than the caller expects.
    case wrongKind(expected: MessageKind, actual: MessageKind)

    public var description: String {
        switch self {
        case .invalidPublicKey:
            "invalid Ed25519 public key (small-order, off the curve or non-canonical): "
                + "obtain the key again from its owner"
        case .badSignature:
            "signature does not verify: the message was altered or signed by another key; drop it"
        case .wrongChain(let expected, let actual):
            "message is for chain \"\(actual)\", this node runs \"\(expected)\": check the peer's --chain-id"
        case .wrongKind(let expected, let actual):
            "message kind \(actual) where \(expected) was expected: the sender is misbehaving; drop it"
        }
    }
}
