import PoUWCore
import PoUWCrypto
import Testing

@Suite("X25519")
struct X25519Tests {
    // RFC 7748 §6.1.
    static let alicePrivate = bytes(hex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
    static let alicePublic = bytes(hex: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    static let bobPrivate = bytes(hex: "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
    static let bobPublic = bytes(hex: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
    static let shared = bytes(hex: "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")

    @Test("RFC 7748 §6.1: public keys and the shared secret of Alice and Bob")
    func rfc7748() throws {
        let alice = X25519KeyPair(privateKey: Self.alicePrivate)
        let bob = X25519KeyPair(privateKey: Self.bobPrivate)
        #expect(alice.publicKey == Self.alicePublic)
        #expect(bob.publicKey == Self.bobPublic)
        #expect(try alice.sharedSecret(with: bob.publicKey) == Self.shared)
        #expect(try bob.sharedSecret(with: alice.publicKey) == Self.shared)
    }

    @Test("every low-order point is rejected, with the top bit clear or set")
    func lowOrder() {
        let pair = X25519KeyPair(privateKey: Self.alicePrivate)
        for point in X25519.lowOrderPoints {
            var highBit = point
            highBit[31] |= 0x80
            for candidate in [point, highBit] {
                #expect(X25519.isLowOrder(candidate))
                #expect(throws: X25519Error.lowOrderPoint) { try pair.sharedSecret(with: candidate) }
            }
        }
        #expect(!X25519.isLowOrder(Self.bobPublic))
    }

    @Test("generated key pairs agree on a secret, and differ with different entropy")
    func generated() throws {
        let first = X25519KeyPair.generate(entropy: SystemEntropy())
        let second = X25519KeyPair.generate(entropy: SystemEntropy())
        #expect(first.publicKey != second.publicKey)
        #expect(try first.sharedSecret(with: second.publicKey) == second.sharedSecret(with: first.publicKey))
        #expect(!first.description.contains(Hex.encode(first.privateKey)))
    }
}
