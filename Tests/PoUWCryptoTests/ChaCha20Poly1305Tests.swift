import PoUWCore
import PoUWCrypto
import Testing

@Suite("ChaCha20Poly1305")
struct ChaCha20Poly1305Tests {
    // RFC 8439 §2.8.2.
    static let key: [UInt8] = Array(0x80...0x9f)
    static let nonce = bytes(hex: "070000004041424344454647")
    static let associatedData = bytes(hex: "50515253c0c1c2c3c4c5c6c7")
    static let plaintext = Array(("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
        + "the future, sunscreen would be it.").utf8)
    static let ciphertext = bytes(hex: "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
        + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58"
        + "fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116")
    static let tag = bytes(hex: "1ae10b594f09e26a7e902ecbd0600691")

    @Test("RFC 8439 §2.8.2: seal gives the ciphertext and tag, open gives the plaintext back")
    func rfc8439() throws {
        let sealed = ChaCha20Poly1305.seal(Self.plaintext, key: Self.key, nonce: Self.nonce,
                                           associatedData: Self.associatedData)
        #expect(sealed == Self.ciphertext + Self.tag)
        let opened = try ChaCha20Poly1305.open(sealed, key: Self.key, nonce: Self.nonce,
                                               associatedData: Self.associatedData)
        #expect(opened == Self.plaintext)
    }

    @Test("flipping any bit of the ciphertext, tag or associated data fails authentication")
    func tampering() {
        let sealed = Self.ciphertext + Self.tag
        for bit in stride(from: 0, to: sealed.count * 8, by: 37) {
            #expect(throws: AEADError.authenticationFailed) {
                try ChaCha20Poly1305.open(flippingBit(bit, of: sealed), key: Self.key, nonce: Self.nonce,
                                          associatedData: Self.associatedData)
            }
        }
        #expect(throws: AEADError.authenticationFailed) {
            try ChaCha20Poly1305.open(sealed, key: Self.key, nonce: Self.nonce,
                                      associatedData: flippingBit(5, of: Self.associatedData))
        }
        #expect(throws: AEADError.authenticationFailed) {
            try ChaCha20Poly1305.open(sealed, key: Self.key, nonce: ChaCha20Poly1305.noiseNonce(counter: 1),
                                      associatedData: Self.associatedData)
        }
    }

    @Test("inputs shorter than a tag are rejected; the empty plaintext round-trips as a bare tag")
    func shortInputs() throws {
        for count in 0..<ChaCha20Poly1305.tagByteCount {
            #expect(throws: AEADError.authenticationFailed) {
                try ChaCha20Poly1305.open([UInt8](repeating: 0, count: count), key: Self.key, nonce: Self.nonce,
                                          associatedData: [])
            }
        }
        let sealed = ChaCha20Poly1305.seal([], key: Self.key, nonce: Self.nonce, associatedData: [])
        #expect(sealed.count == ChaCha20Poly1305.tagByteCount)
        #expect(try ChaCha20Poly1305.open(sealed, key: Self.key, nonce: Self.nonce, associatedData: []) == [])
    }

    @Test("the Noise nonce is 4 zero bytes and the counter in little-endian")
    func noiseNonce() {
        #expect(ChaCha20Poly1305.noiseNonce(counter: 0) == [UInt8](repeating: 0, count: 12))
        #expect(ChaCha20Poly1305.noiseNonce(counter: 0x0102_0304_0506_0708)
            == [0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect(ChaCha20Poly1305.noiseNonce(counter: .max) == [0, 0, 0, 0] + [UInt8](repeating: 0xff, count: 8))
    }
}
