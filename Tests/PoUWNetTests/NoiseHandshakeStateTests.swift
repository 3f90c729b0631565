import PoUWCore
import PoUWCrypto
import PoUWNet
import Testing

@Suite("NoiseHandshakeState")
struct NoiseHandshakeStateTests {
    // The Noise_XX_25519_ChaChaPoly_SHA256 vector of cacophony (haskell-cryptography/cacophony,
    // vectors/cacophony.txt; older copies, such as mcginty/cacophony's, carry a handshake hash from
    // before cacophony's fix 8f6c53a): three handshake messages, then three transport messages that
    // keep alternating (responder, initiator, responder).
    static let prologue = bytes(hex: "4a6f686e2047616c74")
    static let initiatorStatic = bytes(hex: "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1")
    static let initiatorEphemeral = bytes(hex: "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a")
    static let responderStatic = bytes(hex: "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893")
    static let responderEphemeral = bytes(hex: "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b")
    static let handshakeHash = "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e"
    static let messages: [(payload: String, ciphertext: String)] = [
        ("4c756477696720766f6e204d69736573",
         "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"),
        ("4d757272617920526f746862617264",
         "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aa"
             + "a3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23d"
             + "bd8d162c9326ad"),
        ("462e20412e20486179656b",
         "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4"
             + "ec82a286427402f113e4b6ae769a1d95941d49b25030"),
        ("4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"),
        ("4a65616e2d426170746973746520536179", "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"),
        ("457567656e2042f6686d20766f6e2042617765726b",
         "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"),
    ]

    static func pair() -> (initiator: _NoiseHandshakeState, responder: _NoiseHandshakeState) {
        let initiator = _NoiseHandshakeState(
            role: .initiator, prologue: prologue, localStatic: X25519KeyPair(privateKey: initiatorStatic),
            localEphemeral: X25519KeyPair(privateKey: initiatorEphemeral))
        let responder = _NoiseHandshakeState(
            role: .responder, prologue: prologue, localStatic: X25519KeyPair(privateKey: responderStatic),
            localEphemeral: X25519KeyPair(privateKey: responderEphemeral))
        return (initiator, responder)
    }

    @Test("the cacophony vector: every handshake and transport message, and the handshake hash")
    func cacophony() throws {
        var (initiator, responder) = Self.pair()
        for index in 0..<3 {
            let payload = bytes(hex: Self.messages[index].payload)
            let fromInitiator = index % 2 == 0
            let written = fromInitiator ? try initiator.writeMessage(payload: payload)
                : try responder.writeMessage(payload: payload)
            #expect(Hex.encode(written) == Self.messages[index].ciphertext, "handshake message \(index + 1)")
            let read = fromInitiator ? try responder.readMessage(written) : try initiator.readMessage(written)
            #expect(read == payload)
        }
        #expect(initiator.isComplete && responder.isComplete)
        #expect(Hex.encode(initiator.handshakeHash) == Self.handshakeHash)
        #expect(responder.handshakeHash == initiator.handshakeHash)
        #expect(initiator.remoteStaticKey == X25519KeyPair(privateKey: Self.responderStatic).publicKey)
        #expect(responder.remoteStaticKey == X25519KeyPair(privateKey: Self.initiatorStatic).publicKey)

        var (initiatorSend, initiatorReceive) = initiator.split()
        var (responderSend, responderReceive) = responder.split()
        for index in 3..<6 {
            let payload = bytes(hex: Self.messages[index].payload)
            let fromInitiator = index % 2 == 0
            let sealed = fromInitiator ? try initiatorSend.encrypt(associatedData: [], plaintext: payload)
                : try responderSend.encrypt(associatedData: [], plaintext: payload)
            #expect(Hex.encode(sealed) == Self.messages[index].ciphertext, "transport message \(index + 1)")
            let opened = fromInitiator ? try responderReceive.decrypt(associatedData: [], ciphertext: sealed)
                : try initiatorReceive.decrypt(associatedData: [], ciphertext: sealed)
            #expect(opened == payload)
        }
    }

    @Test("a different prologue on one side fails message 2 at the initiator")
    func prologueMismatch() throws {
        var (initiator, _) = Self.pair()
        var responder = _NoiseHandshakeState(
            role: .responder, prologue: Self.prologue + [0],
            localStatic: X25519KeyPair(privateKey: Self.responderStatic),
            localEphemeral: X25519KeyPair(privateKey: Self.responderEphemeral))
        _ = try responder.readMessage(try initiator.writeMessage(payload: []))
        let second = try responder.writeMessage(payload: [])
        let failure = ChannelError.handshakeFailed(reason: "could not decrypt the static key of handshake message 2")
        #expect(throws: failure) {
            try initiator.readMessage(second)
        }
    }

    @Test("a low-order ephemeral key in message 1 or 2 is rejected")
    func lowOrderEphemeral() throws {
        for point in X25519.lowOrderPoints {
            var (initiator, responder) = Self.pair()
            #expect(throws: ChannelError.lowOrderPoint) { try responder.readMessage(point) }
            _ = try initiator.writeMessage(payload: [])
            #expect(throws: ChannelError.lowOrderPoint) {
                try initiator.readMessage(point + [UInt8](repeating: 0, count: 64))
            }
        }
    }

    @Test("truncated handshake messages are rejected as handshakeFailed")
    func truncated() throws {
        var (initiator, responder) = Self.pair()
        let first = try initiator.writeMessage(payload: [])
        var copy = responder
        #expect(throws: ChannelError.self) { try copy.readMessage(Array(first.prefix(31))) }
        _ = try responder.readMessage(first)
        let second = try responder.writeMessage(payload: [])
        for length in [0, 31, 32, 79, 80, 95] {
            var attempt = initiator
            #expect(throws: ChannelError.self) { try attempt.readMessage(Array(second.prefix(length))) }
        }
        #expect(try initiator.readMessage(second) == [])
    }
}
