import PoUWCore
import PoUWCrypto
import PoUWNet
import Testing

@Suite("SecureChannel")
struct SecureChannelTests {
    @Test("both sides establish, each learning the other's identity exactly once")
    func establishes() throws {
        var pair = ChannelPair(seed: 1)
        #expect(!pair.initiator.isEstablished && pair.initiator.remotePeer == nil)
        let (initiatorSaw, responderSaw) = try pair.handshake()
        #expect(initiatorSaw == pair.responderIdentity.publicKey)
        #expect(responderSaw == pair.initiatorIdentity.publicKey)
        #expect(pair.initiator.isEstablished && pair.responder.isEstablished)
        #expect(pair.initiator.remotePeer == pair.responderIdentity.publicKey)
        #expect(pair.responder.remotePeer == pair.initiatorIdentity.publicKey)
        let later = try pair.responder.receive(try pair.initiator.seal(Frame(type: .ping, payload: [1])),
                                               nowNanoseconds: 1)
        #expect(later.establishedPeer == nil && later.frames == [Frame(type: .ping, payload: [1])])
    }

    @Test("a channel keyed by the OS entropy source establishes too")
    func systemEntropy() throws {
        let config = ChannelConfig(chainId: "pouw-test")
        var initiator = SecureChannel(role: .initiator, identity: identity(1), config: config, expectedPeer: nil,
                                      nowNanoseconds: 0, entropy: SystemEntropy())
        var responder = SecureChannel(role: .responder, identity: identity(2), config: config, expectedPeer: nil,
                                      nowNanoseconds: 0, entropy: SystemEntropy())
        let second = try responder.receive(initiator.start(), nowNanoseconds: 0)
        let third = try initiator.receive(second.bytesToSend, nowNanoseconds: 0)
        let last = try responder.receive(third.bytesToSend, nowNanoseconds: 0)
        #expect(third.establishedPeer == identity(2).publicKey && last.establishedPeer == identity(1).publicKey)
    }

    @Test("frames of 0 B to frameBytesMax round-trip both ways through randomly cut streams")
    func roundTrip() throws {
        var pair = ChannelPair(seed: 2)
        _ = try pair.handshake()
        // Around the first piece's capacity (65,519 bytes less a 5-byte header), 64 KiB, 1 MiB, the maximum.
        let sizes = [0, 1, 65_514, 65_515, 65_535, 65_536, 1 << 20, ChannelConfig.frameBytesMaxDefault]
        var frames = [Frame]()
        for (index, size) in sizes.enumerated() {
            let type = FrameType.allCases[index % FrameType.allCases.count]
            frames.append(Frame(type: type, payload: seededBytes(count: size, seed: UInt64(index))))
        }
        // All frames in one stream, so that pieces straddle frame boundaries.
        var stream = [UInt8]()
        for frame in frames { stream += try pair.initiator.seal(frame) }
        let atResponder = try deliver(stream, to: &pair.responder, using: &pair.generator)
        #expect(atResponder.frames == frames)
        #expect(atResponder.bytesToSend.isEmpty)
        stream = []
        for frame in frames.reversed() { stream += try pair.responder.seal(frame) }
        let atInitiator = try deliver(stream, to: &pair.initiator, using: &pair.generator)
        #expect(atInitiator.frames == frames.reversed())
    }

    @Test("many small frames arrive in order however the stream is cut", arguments: [3, 4, 5] as [UInt64])
    func smallFrames(seed: UInt64) throws {
        var pair = ChannelPair(seed: seed)
        _ = try pair.handshake()
        var generator = SeededGenerator(seed: seed)
        var frames = [Frame]()
        var stream = [UInt8]()
        for index in 0..<300 {
            let size = Int.random(in: 0...300, using: &generator)
            let frame = Frame(type: FrameType.allCases.randomElement(using: &generator)!,
                              payload: seededBytes(count: size, seed: UInt64(index)))
            frames.append(frame)
            stream += try pair.responder.seal(frame)
        }
        #expect(try deliver(stream, to: &pair.initiator, using: &pair.generator).frames == frames)
    }

    @Test("a frame sealed as soon as the initiator is established follows message 3 in the same read")
    func frameRightAfterHandshake() throws {
        var pair = ChannelPair(seed: 6)
        let second = try pair.responder.receive(pair.initiator.start(), nowNanoseconds: 0)
        let third = try pair.initiator.receive(second.bytesToSend, nowNanoseconds: 0)
        let frame = Frame(type: .gossip, payload: [9, 9, 9])
        let output = try pair.responder.receive(third.bytesToSend + pair.initiator.seal(frame), nowNanoseconds: 0)
        #expect(output.establishedPeer == pair.initiatorIdentity.publicKey)
        #expect(output.frames == [frame])
    }

    @Test("a responder on another chain reports wrongChain with both chain ids")
    func wrongChain() throws {
        var pair = ChannelPair(seed: 7, responderConfig: ChannelConfig(chainId: "pouw-main"))
        let first = pair.initiator.start()
        #expect(throws: ChannelError.wrongChain(expected: "pouw-main", got: "pouw-test")) {
            try pair.responder.receive(first, nowNanoseconds: 0)
        }
        #expect(throws: ChannelError.closed) { try pair.responder.receive([], nowNanoseconds: 0) }
    }

    @Test("a claimed chain id with control bytes is reported with them replaced")
    func wrongChainSanitised() throws {
        var responder = ChannelPair(seed: 24).responder
        var raw = RawPeer(role: .initiator, chainId: "x", seed: 25)
        let first = try raw.noise.writeMessage(payload: [3, 0x1b, UInt8(ascii: "a"), 0xff])
        #expect(throws: ChannelError.wrongChain(expected: ChannelPair.chainId, got: "?a?")) {
            try responder.receive(framed(first), nowNanoseconds: 0)
        }
    }

    @Test("a chain id rewritten in transit passes the responder but fails the initiator (prologue binding)")
    func rewrittenChainId() throws {
        var pair = ChannelPair(seed: 8, responderConfig: ChannelConfig(chainId: "pouw-tesT"))
        var first = pair.initiator.start()
        first[first.count - 1] = UInt8(ascii: "T")
        let second = try pair.responder.receive(first, nowNanoseconds: 0)
        let failure = ChannelError.handshakeFailed(reason: "could not decrypt the static key of handshake message 2")
        #expect(throws: failure) {
            try pair.initiator.receive(second.bytesToSend, nowNanoseconds: 0)
        }
    }

    @Test("a responder replaying someone's identity without their signature over its key is rejected")
    func forgedResponderSignature() throws {
        let victim = identity(50)
        var initiator = SecureChannel(
            role: .initiator, identity: identity(51), config: ChannelConfig(chainId: ChannelPair.chainId),
            expectedPeer: victim.publicKey, nowNanoseconds: 0, entropy: SeededEntropy(seed: 9))
        var impostor = RawPeer(role: .responder, chainId: ChannelPair.chainId, seed: 10)
        let first = unframed(initiator.start())[0]
        #expect(try impostor.noise.readMessage(first) == chainPayload(ChannelPair.chainId))
        // The victim's genuine signature, but over another static key (e.g. seen in an earlier session).
        let replayed = identityPayload(victim, signedKey: X25519KeyPair(privateKey: seededBytes(count: 32, seed: 11))
            .publicKey, chainId: ChannelPair.chainId)
        let second = try impostor.noise.writeMessage(payload: replayed)
        #expect(throws: ChannelError.badIdentitySignature) { try initiator.receive(framed(second), nowNanoseconds: 0) }
    }

    @Test("an initiator whose signature was made for another chain or kind is rejected")
    func forgedInitiatorSignature() throws {
        for signed in [Self.signature(kind: .peerRecord, chainId: ChannelPair.chainId),
                       Self.signature(kind: .handshake, chainId: "pouw-other")] {
            var responder = SecureChannel(
                role: .responder, identity: identity(60), config: ChannelConfig(chainId: ChannelPair.chainId),
                expectedPeer: nil, nowNanoseconds: 0, entropy: SeededEntropy(seed: 12))
            var raw = RawPeer(role: .initiator, chainId: ChannelPair.chainId, seed: 13)
            let first = try raw.noise.writeMessage(payload: chainPayload(ChannelPair.chainId))
            let second = try responder.receive(framed(first), nowNanoseconds: 0).bytesToSend
            _ = try raw.noise.readMessage(unframed(second)[0])
            let third = try raw.noise.writeMessage(payload: signed(raw.staticKey.publicKey))
            #expect(throws: ChannelError.badIdentitySignature) {
                try responder.receive(framed(third), nowNanoseconds: 0)
            }
        }
    }

    static func signature(kind: MessageKind, chainId: String) -> @Sendable ([UInt8]) -> [UInt8] {
        { key in identity(61).publicKey.bytes + identity(61).sign(payload: key, kind: kind, chainId: chainId).bytes }
    }

    @Test("an identity that is not a valid Ed25519 key, or a payload of the wrong size, is rejected")
    func invalidIdentity() throws {
        let smallOrder = [1] + [UInt8](repeating: 0, count: 31)  // the neutral point
        let cases: [(payload: [UInt8], error: ChannelError)] = [
            (smallOrder + [UInt8](repeating: 0, count: 64), .invalidIdentityKey),
            ([UInt8](repeating: 7, count: 95), .handshakeFailed(reason: "identity payload has 95 bytes, expected 96")),
            ([], .handshakeFailed(reason: "identity payload has 0 bytes, expected 96")),
        ]
        for (payload, error) in cases {
            var initiator = SecureChannel(
                role: .initiator, identity: identity(70), config: ChannelConfig(chainId: ChannelPair.chainId),
                expectedPeer: nil, nowNanoseconds: 0, entropy: SeededEntropy(seed: 14))
            var raw = RawPeer(role: .responder, chainId: ChannelPair.chainId, seed: 15)
            _ = try raw.noise.readMessage(unframed(initiator.start())[0])
            let second = try raw.noise.writeMessage(payload: payload)
            #expect(throws: error) { try initiator.receive(framed(second), nowNanoseconds: 0) }
        }
    }

    @Test("an initiator that dialled one identity and reached another fails before sending its own")
    func unexpectedPeer() throws {
        let expected = identity(99).publicKey
        var pair = ChannelPair(seed: 16, expectedPeer: expected)
        let second = try pair.responder.receive(pair.initiator.start(), nowNanoseconds: 0)
        #expect(throws: ChannelError.unexpectedPeer(expected: expected, got: pair.responderIdentity.publicKey)) {
            try pair.initiator.receive(second.bytesToSend, nowNanoseconds: 0)
        }
        #expect(throws: ChannelError.closed) { try pair.initiator.checkDeadline(nowNanoseconds: 0) }
    }

    @Test("a responder that never answers trips the handshake deadline; an established channel never does")
    func handshakeTimeout() throws {
        let timeout: UInt64 = 5_000_000_000
        let start: UInt64 = 1_000
        var initiator = SecureChannel(
            role: .initiator, identity: identity(80), config: ChannelConfig(chainId: ChannelPair.chainId),
            expectedPeer: nil, nowNanoseconds: start, entropy: SeededEntropy(seed: 17))
        _ = initiator.start()
        try initiator.checkDeadline(nowNanoseconds: start + timeout - 1)
        #expect(throws: ChannelError.handshakeTimeout) { try initiator.checkDeadline(nowNanoseconds: start + timeout) }
        #expect(throws: ChannelError.handshakeTimeout) {
            try initiator.receive([0], nowNanoseconds: start + timeout)
        }
        #expect(throws: ChannelError.closed) { try initiator.receive([], nowNanoseconds: start) }

        var pair = ChannelPair(seed: 18)
        _ = try pair.handshake()
        try pair.initiator.checkDeadline(nowNanoseconds: .max)
        try pair.responder.checkDeadline(nowNanoseconds: .max)
    }

    @Test("a tampered, replayed or dropped transport message fails as decryptFailed")
    func tampering() throws {
        var pair = ChannelPair(seed: 19)
        _ = try pair.handshake()
        let first = try pair.initiator.seal(Frame(type: .gossip, payload: seededBytes(count: 100, seed: 1)))
        let second = try pair.initiator.seal(Frame(type: .gossip, payload: [2]))
        for bit in stride(from: 16, to: first.count * 8, by: 29) {  // every byte after the length prefix
            var receiver = pair.responder
            var altered = first
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(throws: ChannelError.decryptFailed) { try receiver.receive(altered, nowNanoseconds: 0) }
        }
        var replay = pair.responder
        _ = try replay.receive(first, nowNanoseconds: 0)
        #expect(throws: ChannelError.decryptFailed) { try replay.receive(first, nowNanoseconds: 0) }
        var skipped = pair.responder
        #expect(throws: ChannelError.decryptFailed) { try skipped.receive(second, nowNanoseconds: 0) }
        #expect(try pair.responder.receive(first + second, nowNanoseconds: 0).frames.count == 2)
    }

    @Test("any altered bit of handshake message 2 fails the initiator's handshake")
    func alteredMessageTwo() throws {
        var pair = ChannelPair(seed: 20)
        let second = try pair.responder.receive(pair.initiator.start(), nowNanoseconds: 0).bytesToSend
        for bit in 16..<(second.count * 8) {  // every bit after the length prefix
            var initiator = pair.initiator
            var altered = second
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(throws: ChannelError.self) { try initiator.receive(altered, nowNanoseconds: 0) }
        }
    }

    @Test("frames over frameBytesMax are refused by the sender and by a receiver with a lower limit")
    func frameTooLarge() throws {
        let small = ChannelConfig(chainId: ChannelPair.chainId, frameBytesMax: 100_000)
        let large = ChannelConfig(chainId: ChannelPair.chainId, frameBytesMax: 300_000)
        var pair = ChannelPair(seed: 21, initiatorConfig: small, responderConfig: large)
        _ = try pair.handshake()
        let big = Frame(type: .response, payload: seededBytes(count: 200_000, seed: 3))
        var sender = pair.initiator
        #expect(throws: ChannelError.frameTooLarge(bytes: 200_000, max: 100_000)) { try sender.seal(big) }
        #expect(throws: ChannelError.closed) { try sender.seal(Frame(type: .ping, payload: [])) }
        let sealed = try pair.responder.seal(big)
        #expect(throws: ChannelError.frameTooLarge(bytes: 200_000, max: 100_000)) {
            try pair.initiator.receive(sealed, nowNanoseconds: 0)
        }
        let exact = Frame(type: .response, payload: seededBytes(count: 100_000, seed: 4))
        var fresh = ChannelPair(seed: 22, initiatorConfig: small, responderConfig: large)
        _ = try fresh.handshake()
        #expect(try fresh.initiator.receive(fresh.responder.seal(exact), nowNanoseconds: 0).frames == [exact])
    }

    @Test("sealing before the handshake completes is refused")
    func notEstablished() {
        var pair = ChannelPair(seed: 23)
        _ = pair.initiator.start()
        #expect(throws: ChannelError.notEstablished) { try pair.initiator.seal(Frame(type: .ping, payload: [])) }
        #expect(throws: ChannelError.notEstablished) { try pair.responder.seal(Frame(type: .ping, payload: [])) }
    }

    @Test("well-encrypted but malformed frames are rejected", arguments: 0..<6)
    func malformedFrames(index: Int) throws {
        let header: [UInt8] = [11, 0, 0, 0, FrameType.gossip.rawValue]  // 10 payload bytes announced
        let plaintexts: [([[UInt8]], ChannelError)] = [
            ([[1, 0, 0]], .malformedFrame(reason: "first piece of 3 bytes holds no frame header")),
            ([[0, 0, 0, 0, 1]], .malformedFrame(reason: "frame length 0 leaves no room for its type")),
            ([[1, 0, 0, 0, 99]], .malformedFrame(reason: "unknown frame type 99")),
            ([header + [UInt8](repeating: 0, count: 11)],
             .malformedFrame(reason: "frame runs past its announced length of 10 bytes")),
            ([header + [1, 2], [3, 4, 5, 6, 7, 8, 9, 10, 11]],
             .malformedFrame(reason: "frame runs past its announced length of 10 bytes")),
            ([header, []], .malformedFrame(reason: "empty continuation piece")),
        ]
        let (pieces, error) = plaintexts[index]
        var (channel, send) = try Self.establishedWithRawInitiator(seed: UInt64(30 + index))
        var stream = [UInt8]()
        for piece in pieces { stream += framed(try send.encrypt(associatedData: [], plaintext: piece)) }
        #expect(throws: error) { try channel.receive(stream, nowNanoseconds: 0) }
    }

    @Test("a frame header announcing more than frameBytesMax is refused before its payload arrives")
    func announcedTooLarge() throws {
        var (channel, send) = try Self.establishedWithRawInitiator(seed: 40)
        let announced = ChannelConfig.frameBytesMaxDefault + 2
        let header = (0..<4).map { UInt8(truncatingIfNeeded: announced >> (8 * $0)) } + [FrameType.gossip.rawValue]
        let stream = framed(try send.encrypt(associatedData: [], plaintext: header))
        #expect(throws: ChannelError.frameTooLarge(bytes: announced - 1, max: ChannelConfig.frameBytesMaxDefault)) {
            try channel.receive(stream, nowNanoseconds: 0)
        }
    }

    /// A responder `SecureChannel` established with a raw Noise initiator, and that initiator's
    /// sending cipher, to inject hand-made transport plaintexts.
    static func establishedWithRawInitiator(seed: UInt64) throws -> (SecureChannel, _NoiseCipherState) {
        var responder = SecureChannel(
            role: .responder, identity: identity(90), config: ChannelConfig(chainId: ChannelPair.chainId),
            expectedPeer: nil, nowNanoseconds: 0, entropy: SeededEntropy(seed: seed))
        var raw = RawPeer(role: .initiator, chainId: ChannelPair.chainId, seed: seed + 1000)
        let first = try raw.noise.writeMessage(payload: chainPayload(ChannelPair.chainId))
        let second = try responder.receive(framed(first), nowNanoseconds: 0).bytesToSend
        _ = try raw.noise.readMessage(unframed(second)[0])
        let third = try raw.noise.writeMessage(
            payload: identityPayload(identity(91), signedKey: raw.staticKey.publicKey, chainId: ChannelPair.chainId))
        let output = try responder.receive(framed(third), nowNanoseconds: 0)
        precondition(output.establishedPeer == identity(91).publicKey, "raw initiator not accepted")
        return (responder, raw.noise.split().send)
    }

    @Test("buffered bytes stay below one frame plus one Noise message while a large frame streams in")
    func boundedBuffer() throws {
        var pair = ChannelPair(seed: 41)
        _ = try pair.handshake()
        let sealed = try pair.initiator.seal(Frame(type: .gossip, payload: seededBytes(count: 4 << 20, seed: 5)))
        var offset = 0
        var largest = 0
        while offset < sealed.count - 1 {
            let end = min(sealed.count - 1, offset + Int.random(in: 1...200_000, using: &pair.generator))
            #expect(try pair.responder.receive(Array(sealed[offset..<end]), nowNanoseconds: 0).frames.isEmpty)
            largest = max(largest, pair.responder.bufferedByteCount)
            offset = end
        }
        #expect(largest <= ChannelConfig.frameBytesMaxDefault + 5 + 2 + 65_535)
        #expect(largest >= ChannelConfig.frameBytesMaxDefault - 65_535)
        #expect(try pair.responder.receive([sealed.last!], nowNanoseconds: 0).frames.count == 1)
        #expect(pair.responder.bufferedByteCount == 0)
    }

    @Test("garbage instead of message 2 or of a transport message throws, never traps")
    func garbage() throws {
        var pair = ChannelPair(seed: 42)
        let first = pair.initiator.start()
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            var initiator = pair.initiator
            let noise = seededBytes(count: Int.random(in: 2...400, using: &generator), seed: generator.next())
            // A length prefix that fits, so the garbage is actually parsed.
            let message = framed(Array(noise.prefix(Int.random(in: 0...noise.count, using: &generator))))
            #expect(throws: ChannelError.self) { try initiator.receive(message, nowNanoseconds: 0) }
        }
        _ = try pair.responder.receive(first, nowNanoseconds: 0)
        var established = ChannelPair(seed: 43)
        _ = try established.handshake()
        for _ in 0..<500 {
            var responder = established.responder
            let message = framed(seededBytes(count: Int.random(in: 0...300, using: &generator), seed: generator.next()))
            #expect(throws: ChannelError.self) { try responder.receive(message, nowNanoseconds: 0) }
        }
    }

    @Test("10,000 seeded random inputs into a responder only ever throw ChannelError or wait for more")
    func fuzzResponder() throws {
        let template = SecureChannel(
            role: .responder, identity: identity(95), config: ChannelConfig(chainId: ChannelPair.chainId),
            expectedPeer: nil, nowNanoseconds: 0, entropy: SeededEntropy(seed: 44))
        var pair = ChannelPair(seed: 45)
        let valid = pair.initiator.start()
        var generator = SeededGenerator(seed: 46)
        var outcomes = [String: Int]()
        for round in 0..<10_000 {
            var responder = template
            var input: [UInt8]
            switch round % 3 {
            case 0:  // raw noise
                input = seededBytes(count: Int.random(in: 0...300, using: &generator), seed: generator.next())
            case 1:  // a plausible length prefix and random content
                input = framed(seededBytes(count: Int.random(in: 0...200, using: &generator), seed: generator.next()))
            default:  // a valid message 1 with a few bytes changed
                input = valid
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let position = Int.random(in: 0..<input.count, using: &generator)
                    input[position] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            do {
                let output = try responder.receive(input, nowNanoseconds: 0)
                outcomes[output.bytesToSend.isEmpty ? "waiting" : "answered", default: 0] += 1
            } catch {
                outcomes["\(error)".prefix(20).description, default: 0] += 1
                #expect(throws: ChannelError.closed) { try responder.receive([0, 0], nowNanoseconds: 0) }
            }
        }
        #expect(outcomes.values.reduce(0, +) == 10_000)
        #expect(outcomes.count >= 4, "the fuzz should reach several outcomes: \(outcomes)")
    }
}
