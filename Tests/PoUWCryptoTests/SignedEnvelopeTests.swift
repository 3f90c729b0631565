import PoUWCore
import PoUWCrypto
import Testing

@Suite("SignedEnvelope signing")
struct SignedEnvelopeTests {
    let keyPair = KeyPair(seed: seededBytes(count: 32, seed: 7))
    let envelope: SignedEnvelope

    init() {
        envelope = SignedEnvelope(signing: Array("block 12 proposal".utf8), kind: .proposal, chainId: "pouw-test",
                                  by: keyPair)
    }

    @Test("an envelope made by a key pair names it as signer and verifies for its chain and kind")
    func roundTrip() throws {
        #expect(envelope.signer == keyPair.publicKey)
        #expect(envelope.chainId == "pouw-test")
        #expect(envelope.kind == .proposal)
        try envelope.verify(chainId: "pouw-test", kind: .proposal)
    }

    @Test("an envelope for another chain is rejected as wrongChain")
    func wrongChain() {
        #expect(throws: CryptoError.wrongChain(expected: "pouw-main", actual: "pouw-test")) {
            try envelope.verify(chainId: "pouw-main", kind: .proposal)
        }
    }

    @Test("a chain id that is Unicode-equivalent but not byte-equal is another chain")
    func chainIdBytes() {
        let composed = SignedEnvelope(signing: [1], kind: .vote, chainId: "caf\u{E9}", by: keyPair)
        #expect(throws: CryptoError.wrongChain(expected: "cafe\u{301}", actual: "caf\u{E9}")) {
            try composed.verify(chainId: "cafe\u{301}", kind: .vote)
        }
    }

    @Test("an envelope of another kind is rejected as wrongKind")
    func wrongKind() {
        #expect(throws: CryptoError.wrongKind(expected: .vote, actual: .proposal)) {
            try envelope.verify(chainId: "pouw-test", kind: .vote)
        }
    }

    @Test("relabelling an envelope's chain id or kind breaks its signature")
    func relabelled() {
        var relabelledKind = envelope
        relabelledKind.kind = .vote
        #expect(throws: CryptoError.badSignature) { try relabelledKind.verify(chainId: "pouw-test", kind: .vote) }
        var relabelledChain = envelope
        relabelledChain.chainId = "pouw-main"
        #expect(throws: CryptoError.badSignature) { try relabelledChain.verify(chainId: "pouw-main", kind: .proposal) }
    }

    @Test("a tampered payload or signature is rejected as badSignature")
    func tampered() {
        var payload = envelope
        payload.payload[0] ^= 0x01
        #expect(throws: CryptoError.badSignature) { try payload.verify(chainId: "pouw-test", kind: .proposal) }
        var signature = envelope
        signature.signature = Signature(flippingBit(100, of: envelope.signature.bytes))
        #expect(throws: CryptoError.badSignature) { try signature.verify(chainId: "pouw-test", kind: .proposal) }
    }

    @Test("a replaced signer is rejected: badSignature for a valid key, invalidPublicKey for a small-order one")
    func replacedSigner() {
        var otherSigner = envelope
        otherSigner.signer = KeyPair(seed: seededBytes(count: 32, seed: 8)).publicKey
        #expect(throws: CryptoError.badSignature) { try otherSigner.verify(chainId: "pouw-test", kind: .proposal) }
        var identitySigner = envelope
        identitySigner.signer = PublicKey([1] + [UInt8](repeating: 0, count: 31))
        #expect(throws: CryptoError.invalidPublicKey) {
            try identitySigner.verify(chainId: "pouw-test", kind: .proposal)
        }
    }

    @Test("error messages say what to do")
    func messages() {
        #expect(CryptoError.wrongChain(expected: "a", actual: "b").description.contains("chain"))
        #expect(CryptoError.invalidPublicKey.description.contains("public key"))
    }
}
