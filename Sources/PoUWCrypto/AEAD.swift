/// ChaCha20-Poly1305 (RFC 8439, the IETF variant with a 96-bit nonce): the Noise cipher.
internal import CSodium

/// Authenticated encryption with associated data as libsodium's
/// `crypto_aead_chacha20poly1305_ietf_encrypt/decrypt`. A ciphertext is the encrypted bytes
/// followed by a 16-byte Poly1305 tag. Never seal two messages with the same key and nonce.
public enum ChaCha20Poly1305 {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// The ciphertext (plaintext length + 16 bytes) of `plaintext`.
    /// - Precondition: `key` is 32 bytes, `nonce` 12 bytes.
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]
    ) -> [UInt8] {
        checkSizes(key: key, nonce: nonce)
        Sodium.ready()
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var written: UInt64 = 0
        let status = ciphertext.withUnsafeMutableBufferPointer { out in
            plaintext.withUnsafeBufferPointer { message in
                associatedData.withUnsafeBufferPointer { ad in
                    crypto_aead_chacha20poly1305_ietf_encrypt(
                        out.baseAddress!, &written, message.baseAddress, UInt64(message.count),
                        ad.baseAddress, UInt64(ad.count), nil, nonce, key)
                }
            }
        }
        precondition(status == 0 && written == UInt64(ciphertext.count), "chacha20poly1305 encryption failed")
        return ciphertext
    }

    /// The plaintext of `ciphertext`.
    /// - Throws: `AEADError.authenticationFailed` when the ciphertext is shorter than a tag or its
    ///   tag does not verify (altered bytes, wrong key, nonce or associated data).
    /// - Precondition: `key` is 32 bytes, `nonce` 12 bytes.
    public static func open(
        _ ciphertext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]
    ) throws(AEADError) -> [UInt8] {
        checkSizes(key: key, nonce: nonce)
        guard ciphertext.count >= tagByteCount else { throw .authenticationFailed }
        Sodium.ready()
        // One spare byte so the output buffer has an address even for an empty plaintext.
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count - tagByteCount + 1)
        var written: UInt64 = 0
        let status = plaintext.withUnsafeMutableBufferPointer { out in
            ciphertext.withUnsafeBufferPointer { sealed in
                associatedData.withUnsafeBufferPointer { ad in
                    crypto_aead_chacha20poly1305_ietf_decrypt(
                        out.baseAddress!, &written,
                        nil, sealed.baseAddress!, UInt64(sealed.count), ad.baseAddress, UInt64(ad.count),
                        nonce, key)
                }
            }
        }
        guard status == 0 else { throw .authenticationFailed }
        plaintext.removeLast()
        precondition(written == UInt64(plaintext.count), "chacha20poly1305 decrypted a wrong length")
        return plaintext
    }

    /// The Noise nonce for counter `n` (Noise rev. 34 §12.3): 4 zero bytes, then `n` as 64-bit
    /// little-endian.
    public static func noiseNonce(counter: UInt64) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: nonceByteCount)
        for index in 0..<8 { nonce[4 + index] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(index))) }
        return nonce
    }

    private static func checkSizes(key: [UInt8], nonce: [UInt8]) {
        precondition(key.count == keyByteCount, "a ChaCha20-Poly1305 key is 32 bytes, got \(key.count)")
        precondition(nonce.count == nonceByteCount, "a ChaCha20-Poly1305 nonce is 12 bytes, got \(nonce.count)")
    }
}

/// Why `ChaCha20Poly1305.open` rejected a ciphertext.
public enum AEADError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tag does not verify, or the input is shorter than a tag.
    case authenticationFailed

    public var description: String {
        "ciphertext does not authenticate (altered in transit, or sealed under another key): drop it"
    }
}
