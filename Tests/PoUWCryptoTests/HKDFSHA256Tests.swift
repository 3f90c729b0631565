import PoUWCore
import PoUWCrypto
import Testing

@Suite("HKDFSHA256")
struct HKDFSHA256Tests {
    struct Vector: Sendable {
        var inputKeyMaterial: [UInt8]
        var salt: [UInt8]
        var info: [UInt8]
        var pseudorandomKey: String
        var output: String
    }

    // RFC 5869 Appendix A, test cases 1-3 (SHA-256).
    static let rfc5869: [Vector] = [
        Vector(
            inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22), salt: Array(0x00...0x0c), info: Array(0xf0...0xf9),
            pseudorandomKey: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            output: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Vector(
            inputKeyMaterial: Array(0x00...0x4f), salt: Array(0x60...0xaf), info: Array(0xb0...0xff),
            pseudorandomKey: "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            output: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
                + "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        Vector(
            inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [],
            pseudorandomKey: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            output: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ]

    @Test("RFC 5869 test cases 1-3: extract gives the PRK, expand the OKM", arguments: 0..<3)
    func rfc5869(index: Int) {
        let vector = Self.rfc5869[index]
        let prk = HKDFSHA256.extract(salt: vector.salt, inputKeyMaterial: vector.inputKeyMaterial)
        #expect(Hex.encode(prk) == vector.pseudorandomKey)
        let okm = HKDFSHA256.expand(pseudorandomKey: prk, info: vector.info, outputByteCount: vector.output.count / 2)
        #expect(Hex.encode(okm) == vector.output)
        let derived = HKDFSHA256.deriveKey(salt: vector.salt, inputKeyMaterial: vector.inputKeyMaterial,
                                           info: vector.info, outputByteCount: okm.count)
        #expect(derived == okm)
    }

    @Test("a shorter output is a prefix of a longer one; the longest output has 8160 bytes")
    func prefixes() {
        let prk = HKDFSHA256.extract(salt: [1, 2, 3], inputKeyMaterial: seededBytes(count: 32, seed: 9))
        let longest = HKDFSHA256.expand(pseudorandomKey: prk, info: [7], outputByteCount: HKDFSHA256.outputByteCountMax)
        #expect(longest.count == 8160)
        for count in [0, 1, 31, 32, 33, 64, 100] {
            let output = HKDFSHA256.expand(pseudorandomKey: prk, info: [7], outputByteCount: count)
            #expect(output == Array(longest.prefix(count)))
        }
    }

    @Test("the Noise HKDF follows Noise rev. 34 §4.3: HMAC(temp, 0x01), HMAC(temp, out1 || 0x02), ...")
    func noise() {
        let chainingKey = seededBytes(count: 32, seed: 3)
        let input = seededBytes(count: 32, seed: 4)
        let temp = HMACSHA256.authenticate(input, key: chainingKey)
        let first = HMACSHA256.authenticate([0x01], key: temp)
        let second = HMACSHA256.authenticate(first + [0x02], key: temp)
        let two = HKDFSHA256.noise2(chainingKey: chainingKey, inputKeyMaterial: input)
        #expect(two.0 == first && two.1 == second)
        let three = HKDFSHA256.noise3(chainingKey: chainingKey, inputKeyMaterial: [])
        let emptyTemp = HMACSHA256.authenticate([], key: chainingKey)
        let emptyFirst = HMACSHA256.authenticate([0x01], key: emptyTemp)
        let emptySecond = HMACSHA256.authenticate(emptyFirst + [0x02], key: emptyTemp)
        #expect(three.0 == emptyFirst && three.1 == emptySecond)
        #expect(three.2 == HMACSHA256.authenticate(emptySecond + [0x03], key: emptyTemp))
    }
}
