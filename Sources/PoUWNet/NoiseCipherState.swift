/// Noise CipherState (Noise rev. 34 §5.1) over ChaCha20-Poly1305.
import PoUWCrypto

/// A key and a 64-bit message counter. Without a key, encryption is the identity (the first
/// handshake messages). Public only for the known-answer tests (`_`): use `SecureChannel`.
public struct _NoiseCipherState: Sendable {
    /// The largest counter ever used: 2^64 - 1 is reserved by Noise (rev. 34 §5.1).
    static let nonceMax = UInt64.max - 1

    private var key: [UInt8]?
    /// The counter of the next message.
    public private(set) var nonce: UInt64 = 0

    /// - Precondition: `key` is nil or 32 bytes.
    public init(key: [UInt8]?) {
        precondition(key == nil || key!.count == ChaCha20Poly1305.keyByteCount, "a Noise cipher key is 32 bytes")
        self.key = key
    }

    public var hasKey: Bool { key != nil }

    /// EncryptWithAd: the AEAD ciphertext under the current nonce, which then advances; the
    /// plaintext itself when there is no key.
    /// - Throws: `.nonceExhausted` once the counter reaches 2^64 - 1.
    public mutating func encrypt(associatedData: [UInt8], plaintext: [UInt8]) throws(ChannelError) -> [UInt8] {
        guard let key else { return plaintext }
        guard nonce <= Self.nonceMax else { throw .nonceExhausted }
        let ciphertext = ChaCha20Poly1305.seal(
            plaintext, key: key, nonce: ChaCha20Poly1305.noiseNonce(counter: nonce), associatedData: associatedData)
        nonce += 1
        return ciphertext
    }

    /// DecryptWithAd: the plaintext of `ciphertext` under the current nonce, which then advances;
    /// the ciphertext itself when there is no key. A failure leaves the nonce unchanged.
    /// - Throws: `.decryptFailed`, `.nonceExhausted`.
    public mutating func decrypt(associatedData: [UInt8], ciphertext: [UInt8]) throws(ChannelError) -> [UInt8] {
        guard let key else { return ciphertext }
        guard nonce <= Self.nonceMax else { throw .nonceExhausted }
        let plaintext: [UInt8]
        do {
            plaintext = try ChaCha20Poly1305.open(
                ciphertext, key: key, nonce: ChaCha20Poly1305.noiseNonce(counter: nonce),
                associatedData: associatedData)
        } catch {
            throw .decryptFailed
        }
        nonce += 1
        return plaintext
    }
}
