/// Why a secure channel ended.
public import PoUWCore

/// Every failure of a `SecureChannel`. After any of them the channel is dead: later calls throw
/// `.closed`, and the driver closes the connection. All but `.notEstablished` and `.closed` are
/// caused by the peer (or the network), never by a bug here.
public enum ChannelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer runs another chain (it said so in its first handshake message).
    case wrongChain(expected: String, got: String)
    /// The handshake could not complete: a malformed or undecryptable handshake message. An
    /// initiator talking to a responder on another chain sees this (it cannot tell that case apart
    /// from tampering).
    case handshakeFailed(reason: String)
    /// The peer's identity signature over its Noise static key does not verify.
    case badIdentitySignature
    /// The peer's identity is not a valid Ed25519 public key (small order, off the curve).
    case invalidIdentityKey
    /// The peer sent a low-order X25519 key (ephemeral or static).
    case lowOrderPoint
    /// The peer proved an identity other than the one this side dialled.
    case unexpectedPeer(expected: PublicKey, got: PublicKey)
    /// The handshake did not finish within `ChannelConfig.handshakeTimeoutNanoseconds`.
    case handshakeTimeout
    /// A frame payload of `bytes` bytes exceeds the limit of `max` bytes.
    case frameTooLarge(bytes: Int, max: Int)
    /// A transport message does not hold a well-formed frame (or piece of one).
    case malformedFrame(reason: String)
    /// A transport message does not authenticate: altered, replayed, reordered or truncated.
    case decryptFailed
    /// 2^64 - 1 messages went one way: the Noise nonce space is used up.
    case nonceExhausted
    /// `seal` was called before the handshake completed (a bug in the caller).
    case notEstablished
    /// The channel already failed or was used after an error (a bug in the caller).
    case closed

    public var description: String {
        switch self {
        case .wrongChain(let expected, let got):
            "peer runs chain \"\(got)\", this node runs \"\(expected)\": remove it from the peer list"
        case .handshakeFailed(let reason):
            "handshake failed: \(reason); the peer may run another chain or version, or the link alters bytes"
        case .badIdentitySignature:
            "peer's identity signature does not verify: it is an impostor or corrupts data; drop it"
        case .invalidIdentityKey:
            "peer's identity key is not a valid Ed25519 key: drop it"
        case .lowOrderPoint:
            "peer sent a low-order X25519 key (a known MITM trick): drop it"
        case .unexpectedPeer(let expected, let got):
            "dialled peer \(expected) but \(got) answered: check the address book entry for this address"
        case .handshakeTimeout:
            "handshake did not finish in time: the peer is slow, overloaded or not a pouw node; retry later"
        case .frameTooLarge(let bytes, let max):
            "frame of \(bytes) bytes exceeds the limit of \(max) bytes: the peer misbehaves or runs other limits"
        case .malformedFrame(let reason):
            "malformed frame: \(reason); drop the peer"
        case .decryptFailed:
            "message does not authenticate (altered in transit or out of order): drop the connection"
        case .nonceExhausted:
            "2^64 - 1 messages sent on one connection: reconnect"
        case .notEstablished:
            "frame sent before the handshake completed: wait for establishedPeer before sealing"
        case .closed:
            "channel already failed: close the connection and open a new one"
        }
    }
}
