/// Noise SymmetricState (Noise rev. 34 §5.2) with SHA-256 and HKDF-SHA256.
import PoUWCore
import PoUWCrypto

/// The chaining key `ck`, the handshake hash `h` and the current cipher.
struct NoiseSymmetricState: Sendable {
    private(set) var chainingKey: [UInt8]
    private(set) var handshakeHash: [UInt8]
    private var cipher = _NoiseCipherState(key: nil)

    /// InitializeSymmetric: `h` is the protocol name zero-padded to 32 bytes when it fits, else
    /// its hash; `ck = h`; no key.
    init(protocolName: String) {
        let name = Array(protocolName.utf8)
        handshakeHash = name.count <= 32 ? name + [UInt8](repeating: 0, count: 32 - name.count)
            : SHA256.hash(name).bytes
        chainingKey = handshakeHash
    }

    /// MixKey: `ck, k = HKDF(ck, ikm)`, the cipher restarts at nonce 0 with `k`.
    mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
        let (nextChainingKey, key) = HKDFSHA256.noise2(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial)
        chainingKey = nextChainingKey
        cipher = _NoiseCipherState(key: key)
    }

    /// MixHash: `h = SHA256(h || data)`.
    mutating func mixHash(_ data: [UInt8]) {
        var hasher = SHA256.Hasher()
        hasher.update(handshakeHash)
        hasher.update(data)
        handshakeHash = hasher.finalize().bytes
    }

    /// EncryptAndHash: encrypt with `h` as associated data, then mix the ciphertext into `h`.
    mutating func encryptAndHash(_ plaintext: [UInt8]) throws(ChannelError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(associatedData: handshakeHash, plaintext: plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    /// DecryptAndHash: decrypt with `h` as associated data, then mix the ciphertext into `h`.
    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(ChannelError) -> [UInt8] {
        let plaintext = try cipher.decrypt(associatedData: handshakeHash, ciphertext: ciphertext)
        mixHash(ciphertext)
        return plaintext
    }

    /// Whether a key is set (encrypted fields then carry a 16-byte tag).
    var hasKey: Bool { cipher.hasKey }

    /// Split: the initiator-to-responder and responder-to-initiator ciphers.
    func split() -> (initiatorToResponder: _NoiseCipherState, responderToInitiator: _NoiseCipherState) {
        let (first, second) = HKDFSHA256.noise2(chainingKey: chainingKey, inputKeyMaterial: [])
        return (_NoiseCipherState(key: first), _NoiseCipherState(key: second))
    }
}
