import Foundation
import PoUWCore
import PoUWCrypto
import PoUWNet

/// The bytes of a hex literal written in a test.
func bytes(hex: String) -> [UInt8] {
    guard let decoded = Hex.decode(hex) else { preconditionFailure("bad hex literal in a test: \(hex)") }
    return decoded
}

/// Deterministic test bytes.
func seededBytes(count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

/// `Entropy` from a seeded generator, so channel keys are the same on every run. Tests only.
final class SeededEntropy: Entropy, @unchecked Sendable {
    private let lock = NSLock()
    private var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    func fill(_ buffer: inout [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        for index in buffer.indices { buffer[index] = UInt8.random(in: 0...255, using: &generator) }
    }
}

/// A deterministic identity.
func identity(_ seed: UInt8) -> KeyPair { KeyPair(seed: [UInt8](repeating: seed, count: 32)) }

/// A Noise message with its u16 big-endian length prefix.
func framed(_ message: [UInt8]) -> [UInt8] { [UInt8(message.count >> 8), UInt8(message.count & 0xff)] + message }

/// The Noise messages in a stream of length-prefixed messages.
func unframed(_ stream: [UInt8]) -> [[UInt8]] {
    var messages = [[UInt8]]()
    var offset = 0
    while offset + 2 <= stream.count {
        let length = Int(stream[offset]) << 8 | Int(stream[offset + 1])
        messages.append(Array(stream[(offset + 2)..<(offset + 2 + length)]))
        offset += 2 + length
    }
    precondition(offset == stream.count, "stream ends inside a message")
    return messages
}

/// The handshake payload a pouw node sends: identity key || signature over `signedKey`.
func identityPayload(_ identity: KeyPair, signedKey: [UInt8], chainId: String) -> [UInt8] {
    identity.publicKey.bytes + identity.sign(payload: signedKey, kind: .handshake, chainId: chainId).bytes
}

/// The first handshake payload of a pouw initiator: u8 length || chain id.
func chainPayload(_ chainId: String) -> [UInt8] { [UInt8(chainId.utf8.count)] + Array(chainId.utf8) }

/// Feeds `bytes` to `channel` in random pieces (from single bytes to more than a Noise message)
/// and gathers the outputs.
func deliver(
    _ bytes: [UInt8], to channel: inout SecureChannel, using generator: inout SeededGenerator, now: UInt64 = 0
) throws(ChannelError) -> ChannelOutput {
    var gathered = ChannelOutput()
    var offset = 0
    while offset < bytes.count {
        let ceiling = [16, 2_000, 140_000].randomElement(using: &generator)!
        let end = min(bytes.count, offset + Int.random(in: 1...ceiling, using: &generator))
        let output = try channel.receive(Array(bytes[offset..<end]), nowNanoseconds: now)
        gathered.bytesToSend += output.bytesToSend
        gathered.frames += output.frames
        if let peer = output.establishedPeer {
            precondition(gathered.establishedPeer == nil, "establishedPeer reported twice")
            gathered.establishedPeer = peer
        }
        offset = end
    }
    return gathered
}

/// Two channels of one connection, keyed deterministically from `seed`.
struct ChannelPair {
    static let chainId = "pouw-test"

    var initiator: SecureChannel
    var responder: SecureChannel
    let initiatorIdentity: KeyPair
    let responderIdentity: KeyPair
    var generator: SeededGenerator

    init(
        seed: UInt64, initiatorConfig: ChannelConfig = ChannelConfig(chainId: ChannelPair.chainId),
        responderConfig: ChannelConfig = ChannelConfig(chainId: ChannelPair.chainId),
        expectedPeer: PublicKey? = nil
    ) {
        initiatorIdentity = identity(UInt8(truncatingIfNeeded: seed))
        responderIdentity = identity(UInt8(truncatingIfNeeded: seed &+ 100))
        initiator = SecureChannel(
            role: .initiator, identity: initiatorIdentity, config: initiatorConfig,
            expectedPeer: expectedPeer ?? responderIdentity.publicKey, nowNanoseconds: 0,
            entropy: SeededEntropy(seed: seed))
        responder = SecureChannel(
            role: .responder, identity: responderIdentity, config: responderConfig, expectedPeer: nil,
            nowNanoseconds: 0, entropy: SeededEntropy(seed: seed &+ 1))
        generator = SeededGenerator(seed: seed)
    }

    /// Runs the three handshake messages; returns the peers each side reported.
    mutating func handshake() throws(ChannelError) -> (initiatorSaw: PublicKey?, responderSaw: PublicKey?) {
        let first = initiator.start()
        precondition(responder.start().isEmpty, "a responder sends nothing first")
        let second = try deliver(first, to: &responder, using: &generator)
        let third = try deliver(second.bytesToSend, to: &initiator, using: &generator)
        let last = try deliver(third.bytesToSend, to: &responder, using: &generator)
        precondition(last.bytesToSend.isEmpty, "the responder sends nothing after message 3")
        return (third.establishedPeer, last.establishedPeer)
    }
}

/// The raw Noise state machine playing a peer whose handshake payloads the test chooses.
struct RawPeer {
    var noise: _NoiseHandshakeState
    let staticKey: X25519KeyPair

    init(role: ChannelRole, chainId: String, seed: UInt64) {
        let entropy = SeededEntropy(seed: seed)
        staticKey = X25519KeyPair.generate(entropy: entropy)
        noise = _NoiseHandshakeState(
            role: role, prologue: SecureChannel.prologue(chainId: chainId), localStatic: staticKey,
            localEphemeral: X25519KeyPair.generate(entropy: entropy))
    }
}
