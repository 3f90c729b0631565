import PoUWCore
import PoUWCrypto
import Testing

/// One RFC 8032 §7.1 test vector.
struct RFC8032Vector: Sendable, CustomTestStringConvertible {
    let name: String
    let seed: String
    let publicKey: String
    let message: String
    let signature: String
    var testDescription: String { name }
}

let rfc8032Vectors = [
    RFC8032Vector(
        name: "TEST 1",
        seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    RFC8032Vector(
        name: "TEST 2",
        seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    RFC8032Vector(
        name: "TEST 3",
        seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        message: "af82",
        signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    RFC8032Vector(
        name: "TEST SHA(abc)",
        seed: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        publicKey: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        message: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
            + "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"),
]

/// Public keys that must never be accepted, each with why.
let invalidPublicKeys: [(String, String)] = [
    ("all zero bytes (y = 0, a point of order 4)",
     "0000000000000000000000000000000000000000000000000000000000000000"),
    ("the identity point (0, 1)",
     "0100000000000000000000000000000000000000000000000000000000000000"),
    ("the identity with the sign bit set (non-canonical)",
     "0100000000000000000000000000000000000000000000000000000000000080"),
    ("the point of order 2 (0, -1)",
     "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ("y = p, a non-canonical encoding of y = 0",
     "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ("y = p + 1, a non-canonical encoding of the identity",
     "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ("y = 2, not on the curve",
     "0200000000000000000000000000000000000000000000000000000000000000"),
    ("TEST 1 key plus the order-2 point (mixed order, computed with RFC 8032's formulas)",
     "16a567fe7d4ef5482ab4012c369bf8c5f11e8d0c2559dcda50fde59708f8aee5"),
    ("TEST 1 key plus a point of order 4 (mixed order, computed with RFC 8032's formulas)",
     "40c7570f4dd54835b9131184410ed4a0cc93e7d9ad053cbc6d07a62426999582"),
]

@Suite("Ed25519")
struct Ed25519Tests {
    @Test("RFC 8032 §7.1: the seed gives the public key, signRaw the signature, and verifyRaw accepts it",
          arguments: rfc8032Vectors)
    func rfc8032(vector: RFC8032Vector) throws {
        let keyPair = KeyPair(seed: bytes(hex: vector.seed))
        #expect(keyPair.publicKey == PublicKey(bytes(hex: vector.publicKey)))
        let signature = keyPair.signRaw(bytes(hex: vector.message))
        #expect(signature == Signature(bytes(hex: vector.signature)))
        try Ed25519.verifyRaw(signature, message: bytes(hex: vector.message), publicKey: keyPair.publicKey)
    }

    @Test("raw verification rejects every single flipped bit of the signature")
    func flippedSignatureBit() {
        let vector = rfc8032Vectors[2]
        let publicKey = PublicKey(bytes(hex: vector.publicKey))
        let signature = bytes(hex: vector.signature)
        for bit in 0..<(Signature.byteCount * 8) {
            let forged = Signature(flippingBit(bit, of: signature))
            #expect(throws: CryptoError.badSignature, "bit \(bit)") {
                try Ed25519.verifyRaw(forged, message: bytes(hex: vector.message), publicKey: publicKey)
            }
        }
    }

    @Test("raw verification rejects every single flipped bit of the message")
    func flippedMessageBit() {
        let vector = rfc8032Vectors[3]
        let publicKey = PublicKey(bytes(hex: vector.publicKey))
        let message = bytes(hex: vector.message)
        for bit in 0..<(message.count * 8) {
            #expect(throws: CryptoError.badSignature, "bit \(bit)") {
                try Ed25519.verifyRaw(Signature(bytes(hex: vector.signature)),
                                      message: flippingBit(bit, of: message), publicKey: publicKey)
            }
        }
    }

    @Test("raw verification rejects every single flipped bit of the public key, as invalid key or bad signature")
    func flippedPublicKeyBit() {
        let vector = rfc8032Vectors[1]
        let publicKey = bytes(hex: vector.publicKey)
        for bit in 0..<(PublicKey.byteCount * 8) {
            let altered = PublicKey(flippingBit(bit, of: publicKey))
            do {
                try Ed25519.verifyRaw(Signature(bytes(hex: vector.signature)),
                                      message: bytes(hex: vector.message), publicKey: altered)
                Issue.record("bit \(bit): altered key accepted")
            } catch {
                let expected = Ed25519.isValidPublicKey(altered) ? CryptoError.badSignature : .invalidPublicKey
                #expect(error == expected, "bit \(bit)")
            }
        }
    }

    @Test("small-order, mixed-order, off-curve and non-canonical public keys are rejected",
          arguments: invalidPublicKeys)
    func invalidPublicKey(reason: String, hex: String) {
        let key = PublicKey(bytes(hex: hex))
        #expect(!Ed25519.isValidPublicKey(key), "\(reason)")
        #expect(throws: CryptoError.invalidPublicKey) { try Ed25519.validate(key) }
        let anySignature = Signature(bytes(hex: rfc8032Vectors[0].signature))
        #expect(throws: CryptoError.invalidPublicKey) {
            try Ed25519.verifyRaw(anySignature, message: [UInt8](), publicKey: key)
        }
        #expect(throws: CryptoError.invalidPublicKey) {
            try Ed25519.verify(anySignature, payload: [UInt8](), kind: .vote, chainId: "test", publicKey: key)
        }
    }

    @Test("the RFC 8032 public keys are valid points", arguments: rfc8032Vectors)
    func validPublicKey(vector: RFC8032Vector) throws {
        try Ed25519.validate(PublicKey(bytes(hex: vector.publicKey)))
    }
}
