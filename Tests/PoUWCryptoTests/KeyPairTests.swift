import PoUWCore
import PoUWCrypto
import Testing

@Suite("KeyPair")
struct KeyPairTests {
    let keyPair = KeyPair(seed: seededBytes(count: 32, seed: 1))
    let payload = Array("transfer 5 to pouw1...".utf8)
    let chainId = "pouw-test"

    @Test("the same seed gives the same key pair, another seed another key")
    func deterministic() {
        let again = KeyPair(seed: keyPair.seed)
        #expect(again.publicKey == keyPair.publicKey)
        #expect(again.seed == keyPair.seed)
        #expect(KeyPair(seed: seededBytes(count: 32, seed: 2)).publicKey != keyPair.publicKey)
    }

    @Test("generated key pairs are distinct, valid, and reproducible from their seed")
    func generate() {
        let first = KeyPair.generate()
        let second = KeyPair.generate()
        #expect(first.seed != second.seed)
        #expect(first.publicKey != second.publicKey)
        #expect(Ed25519.isValidPublicKey(first.publicKey))
        #expect(KeyPair(seed: first.seed).publicKey == first.publicKey)
    }

    @Test("description and debug description show the public key and never the seed")
    func descriptionHidesSeed() {
        let seedHex = Hex.encode(keyPair.seed)
        for text in [keyPair.description, String(reflecting: keyPair), "\(keyPair)"] {
            #expect(!text.contains(seedHex))
            #expect(text.contains(keyPair.publicKey.description))
        }
    }

    @Test("a signature verifies for its payload, kind and chain id")
    func signAndVerify() throws {
        for kind in MessageKind.allCases {
            let signature = keyPair.sign(payload: payload, kind: kind, chainId: chainId)
            try Ed25519.verify(signature, payload: payload, kind: kind, chainId: chainId, publicKey: keyPair.publicKey)
        }
    }

    @Test("signing covers the documented layout: tag, length-prefixed chain id, kind as UInt16 LE, payload")
    func signedBytesLayout() throws {
        let layout = SigningDomain.signedBytes(payload: [0xAA, 0xBB], kind: .sprintCommit, chainId: "main")
        #expect(layout == Array("pouw/sig/v1".utf8) + [4] + Array("main".utf8) + [7, 0] + [0xAA, 0xBB])
        let signature = keyPair.sign(payload: [0xAA, 0xBB], kind: .sprintCommit, chainId: "main")
        try Ed25519.verifyRaw(signature, message: layout, publicKey: keyPair.publicKey)
    }

    @Test("a domain-separated signature is not a raw signature of the bare payload")
    func notRaw() {
        let signature = keyPair.sign(payload: payload, kind: .transaction, chainId: chainId)
        #expect(throws: CryptoError.badSignature) {
            try Ed25519.verifyRaw(signature, message: payload, publicKey: keyPair.publicKey)
        }
    }

    @Test("verification fails for another chain id, including prefixes and extensions of it")
    func wrongChain() {
        let signature = keyPair.sign(payload: payload, kind: .vote, chainId: chainId)
        for other in ["pouw-main", "pouw-tes", "pouw-test2", "POUW-TEST", "p"] {
            #expect(throws: CryptoError.badSignature, "\(other)") {
                try Ed25519.verify(signature, payload: payload, kind: .vote, chainId: other,
                                   publicKey: keyPair.publicKey)
            }
        }
    }

    @Test("verification fails for every other message kind")
    func wrongKind() {
        let signature = keyPair.sign(payload: payload, kind: .vote, chainId: chainId)
        for kind in MessageKind.allCases where kind != .vote {
            #expect(throws: CryptoError.badSignature, "\(kind)") {
                try Ed25519.verify(signature, payload: payload, kind: kind, chainId: chainId,
                                   publicKey: keyPair.publicKey)
            }
        }
    }

    @Test("the chain id length prefix keeps chain id and kind bytes apart")
    func lengthPrefix() {
        // Without the prefix, chain "ab" + kind bytes could collide with chain "a" + other bytes.
        let signature = keyPair.sign(payload: [0x01, 0x00, 0x07], kind: .transaction, chainId: "ab")
        #expect(throws: CryptoError.badSignature) {
            try Ed25519.verify(signature, payload: [0x00, 0x01, 0x00, 0x07], kind: .transaction, chainId: "a",
                               publicKey: keyPair.publicKey)
        }
    }

    @Test("verification fails for a flipped bit in the signature, the payload or the public key")
    func flippedBits() {
        let signature = keyPair.sign(payload: payload, kind: .receipt, chainId: chainId)
        for bit in stride(from: 0, to: Signature.byteCount * 8, by: 7) {
            #expect(throws: CryptoError.badSignature) {
                try Ed25519.verify(Signature(flippingBit(bit, of: signature.bytes)), payload: payload, kind: .receipt,
                                   chainId: chainId, publicKey: keyPair.publicKey)
            }
        }
        for bit in stride(from: 0, to: payload.count * 8, by: 5) {
            #expect(throws: CryptoError.badSignature) {
                try Ed25519.verify(signature, payload: flippingBit(bit, of: payload), kind: .receipt,
                                   chainId: chainId, publicKey: keyPair.publicKey)
            }
        }
        for bit in stride(from: 0, to: PublicKey.byteCount * 8, by: 3) {
            let altered = PublicKey(flippingBit(bit, of: keyPair.publicKey.bytes))
            #expect(throws: CryptoError.self) {
                try Ed25519.verify(signature, payload: payload, kind: .receipt, chainId: chainId, publicKey: altered)
            }
        }
    }

    @Test("another key pair's public key does not verify the signature")
    func otherSigner() {
        let signature = keyPair.sign(payload: payload, kind: .verdict, chainId: chainId)
        let other = KeyPair(seed: seededBytes(count: 32, seed: 99)).publicKey
        #expect(throws: CryptoError.badSignature) {
            try Ed25519.verify(signature, payload: payload, kind: .verdict, chainId: chainId, publicKey: other)
        }
    }
}
