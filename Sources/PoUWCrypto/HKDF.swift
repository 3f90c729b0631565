/// HKDF over HMAC-SHA256 (RFC 5869), composed by hand because libsodium 1.0.18 has no HKDF API.

/// HKDF-SHA256: `extract` concentrates input key material into a pseudorandom key, `expand`
/// stretches a pseudorandom key into output keying material bound to `info`.
public enum HKDFSHA256 {
    /// Length of a pseudorandom key (the HMAC-SHA256 tag length), in bytes.
    public static let pseudorandomKeyByteCount = HMACSHA256.tagByteCount
    /// Longest output of `expand`: 255 blocks of 32 bytes (RFC 5869 §2.3).
    public static let outputByteCountMax = 255 * HMACSHA256.tagByteCount

    /// PRK = HMAC-SHA256(salt, IKM). An empty salt stands for 32 zero bytes (RFC 5869 §2.2); HMAC
    /// pads a short key with zeros, so passing the empty key gives the same tag.
    public static func extract(salt: [UInt8], inputKeyMaterial: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(inputKeyMaterial, key: salt)
    }

    /// OKM = T(1) || T(2) || ... cut to `outputByteCount`, T(i) = HMAC(PRK, T(i-1) || info || i).
    /// - Precondition: `0 <= outputByteCount <= outputByteCountMax`.
    public static func expand(pseudorandomKey: [UInt8], info: [UInt8], outputByteCount: Int) -> [UInt8] {
        precondition(outputByteCount >= 0 && outputByteCount <= outputByteCountMax,
                     "HKDF output must be 0...\(outputByteCountMax) bytes, asked for \(outputByteCount)")
        var output = [UInt8]()
        output.reserveCapacity(outputByteCount + HMACSHA256.tagByteCount)
        var block = [UInt8]()
        var counter: UInt8 = 1
        while output.count < outputByteCount {
            block = HMACSHA256.authenticate([block, info, [counter]], key: pseudorandomKey)
            output.append(contentsOf: block)
            counter &+= 1
        }
        return Array(output.prefix(outputByteCount))
    }

    /// `expand(extract(salt, IKM), info, L)`.
    public static func deriveKey(
        salt: [UInt8], inputKeyMaterial: [UInt8], info: [UInt8], outputByteCount: Int
    ) -> [UInt8] {
        expand(pseudorandomKey: extract(salt: salt, inputKeyMaterial: inputKeyMaterial),
               info: info, outputByteCount: outputByteCount)
    }

    /// The Noise HKDF with two outputs (Noise rev. 34 §4.3): temp = HMAC(ck, IKM),
    /// out1 = HMAC(temp, 0x01), out2 = HMAC(temp, out1 || 0x02). Equal to RFC 5869 with salt `ck`,
    /// empty info and 64 bytes of output, split in halves.
    public static func noise2(chainingKey: [UInt8], inputKeyMaterial: [UInt8]) -> ([UInt8], [UInt8]) {
        let outputs = noiseOutputs(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, count: 2)
        return (outputs[0], outputs[1])
    }

    /// The Noise HKDF with three outputs (used by pre-shared-key patterns).
    public static func noise3(
        chainingKey: [UInt8], inputKeyMaterial: [UInt8]
    ) -> ([UInt8], [UInt8], [UInt8]) {
        let outputs = noiseOutputs(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, count: 3)
        return (outputs[0], outputs[1], outputs[2])
    }

    private static func noiseOutputs(chainingKey: [UInt8], inputKeyMaterial: [UInt8], count: Int) -> [[UInt8]] {
        let block = HMACSHA256.tagByteCount
        let okm = deriveKey(salt: chainingKey, inputKeyMaterial: inputKeyMaterial, info: [],
                            outputByteCount: count * block)
        return (0..<count).map { Array(okm[($0 * block)..<(($0 + 1) * block)]) }
    }
}
