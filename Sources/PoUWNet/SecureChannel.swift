/// The authenticated, encrypted channel over one TCP connection: a Noise XX handshake in which each
/// side proves its Ed25519 identity, then length-prefixed, encrypted frames.
///
/// Pure: no sockets and no clock reads. The driver feeds it the bytes it reads (in any chunking of
/// the TCP stream), writes out what it returns, and passes the current time in.
///
/// Wire format (all of it; lengths in bytes):
///
///     Noise message    u16 big-endian n (0 ... 65535) || n bytes
///
///     Handshake (Noise_XX_25519_ChaChaPoly_SHA256, prologue below), three Noise messages:
///       1  -> e                      payload: u8 c || chain id (c bytes, UTF-8), in clear
///       2  <- e, ee, s, es           payload: identity key (32) || signature (64), encrypted
///       3  -> s, se                  payload: identity key (32) || signature (64), encrypted
///     prologue = "pouw/noise/v1" || u8 c || chain id
///     signature = KeyPair.sign(payload: the sender's X25519 static key, kind: .handshake, chainId)
///
///     Transport: a frame is  u32 little-endian L || u8 type || payload (L - 1 bytes),
///     L = 1 + payload length <= 1 + frameBytesMax. Its bytes are cut into pieces of at most
///     65,519 bytes, each sealed as one Noise transport message (+16 bytes of tag). A frame begins
///     and ends at a Noise message boundary; only its first piece holds the header.
///
/// The chain id travels in clear in message 1 so that a responder can name a wrong chain
/// (`wrongChain`); the prologue binds it into the transcript, so a forged value still fails the
/// handshake. The initiator never reveals its identity before it has checked the responder's.
///
/// Buffering is bounded: after each `receive` at most one incomplete Noise message (65,537 bytes)
/// and one incomplete frame (frameBytesMax + 5 bytes) are kept.
public import PoUWCore
public import PoUWCrypto

/// Which end of the connection: the dialler is the initiator.
public enum ChannelRole: Sendable {
    case initiator, responder
}

/// What one `receive` produced.
public struct ChannelOutput: Sendable {
    /// Bytes to write to the connection (handshake replies), in order, before anything sealed later.
    public var bytesToSend: [UInt8]
    /// Complete frames, in the order they were sent.
    public var frames: [Frame]
    /// The peer's proven identity; set in exactly one output: the one in which the handshake completes.
    public var establishedPeer: PublicKey?

    public init(bytesToSend: [UInt8] = [], frames: [Frame] = [], establishedPeer: PublicKey? = nil) {
        self.bytesToSend = bytesToSend
        self.frames = frames
        self.establishedPeer = establishedPeer
    }
}

/// A secure channel's state machine. After any thrown error the channel is dead: every later call
/// throws `.closed` and the driver must close the connection.
public struct SecureChannel: Sendable {
    /// Prefix of the Noise prologue; a new wire format gets a new tag.
    public static let prologueTag: [UInt8] = Array("pouw/noise/v1".utf8)
    /// Bytes of the u16 length prefix of every Noise message.
    static let lengthPrefixBytes = 2
    /// Bytes of the identity payload: Ed25519 public key and signature.
    static let identityPayloadBytes = PublicKey.byteCount + Signature.byteCount

    private enum State: Sendable {
        case handshaking(_NoiseHandshakeState)
        case established(TransportCiphers)
        case closed
    }

    public let role: ChannelRole
    private let identity: KeyPair
    private let config: ChannelConfig
    private let expectedPeer: PublicKey?
    private let staticKey: X25519KeyPair
    private let handshakeDeadlineNanoseconds: UInt64
    private var state: State
    private var started = false
    /// Received bytes not yet forming a whole Noise message.
    private var inbound = [UInt8]()
    /// The peer's identity once its handshake payload verified.
    public private(set) var remotePeer: PublicKey?

    /// A channel for one connection; the handshake deadline counts from `nowNanoseconds`.
    /// `expectedPeer`, when set, is the only identity accepted (the initiator sets it to the
    /// identity it dialled; a mismatch fails before this side reveals its own identity).
    /// Draws its ephemeral and static X25519 keys from `entropy`.
    public init(
        role: ChannelRole, identity: KeyPair, config: ChannelConfig, expectedPeer: PublicKey?,
        nowNanoseconds: UInt64, entropy: any Entropy
    ) {
        self.init(
            role: role, identity: identity, config: config, expectedPeer: expectedPeer, nowNanoseconds: nowNanoseconds,
            staticKey: X25519KeyPair.generate(entropy: entropy), ephemeralKey: X25519KeyPair.generate(entropy: entropy))
    }

    /// As the public initialiser, with the X25519 keys given (tests inject fixed keys this way).
    public init(
        role: ChannelRole, identity: KeyPair, config: ChannelConfig, expectedPeer: PublicKey?,
        nowNanoseconds: UInt64, staticKey: X25519KeyPair, ephemeralKey: X25519KeyPair
    ) {
        self.role = role
        self.identity = identity
        self.config = config
        self.expectedPeer = expectedPeer
        self.staticKey = staticKey
        let (deadline, overflow) = nowNanoseconds.addingReportingOverflow(config.handshakeTimeoutNanoseconds)
        self.handshakeDeadlineNanoseconds = overflow ? .max : deadline
        self.state = .handshaking(_NoiseHandshakeState(
            role: role, prologue: Self.prologue(chainId: config.chainId), localStatic: staticKey,
            localEphemeral: ephemeralKey))
    }

    /// Bytes held for later: an incomplete Noise message and an incomplete frame. Bounded by
    /// 65,537 + frameBytesMax + 5 after every `receive`.
    public var bufferedByteCount: Int {
        if case .established(let ciphers) = state { return inbound.count + ciphers.partialByteCount }
        return inbound.count
    }

    public var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    /// The prologue bound into every handshake on `chainId`.
    public static func prologue(chainId: String) -> [UInt8] {
        let chain = Array(chainId.utf8)
        return prologueTag + [UInt8(chain.count)] + chain
    }

    /// Begins the handshake: the initiator's first message; nothing for a responder.
    /// - Precondition: an initiator calls it once, before `receive`.
    public mutating func start() -> [UInt8] {
        guard role == .initiator else { return [] }
        precondition(!started, "SecureChannel.start called twice")
        started = true
        guard case .handshaking(var handshake) = state else { return [] }
        let chain = Array(config.chainId.utf8)
        // Cannot throw: no key is set yet, so nothing is encrypted.
        let message = try! handshake.writeMessage(payload: [UInt8(chain.count)] + chain)
        state = .handshaking(handshake)
        return Self.framed(message)
    }

    /// Consumes bytes read from the connection (any chunking): runs the handshake and opens frames.
    /// - Throws: any `ChannelError` but `.notEstablished`; the channel is then dead.
    /// - Precondition: an initiator called `start` first.
    public mutating func receive(_ bytes: [UInt8], nowNanoseconds: UInt64) throws(ChannelError) -> ChannelOutput {
        precondition(started || role == .responder, "SecureChannel: an initiator must call start() before receive")
        if case .closed = state { throw .closed }
        if case .handshaking = state, nowNanoseconds >= handshakeDeadlineNanoseconds {
            state = .closed
            throw .handshakeTimeout
        }
        var output = ChannelOutput()
        inbound.append(contentsOf: bytes)
        var offset = 0
        while inbound.count - offset >= Self.lengthPrefixBytes {
            let length = Int(inbound[offset]) << 8 | Int(inbound[offset + 1])
            let end = offset + Self.lengthPrefixBytes + length
            guard end <= inbound.count else { break }
            let message = Array(inbound[(offset + Self.lengthPrefixBytes)..<end])
            offset = end
            try handle(message, into: &output)
        }
        inbound.removeFirst(offset)
        return output
    }

    /// The bytes that carry `frame` to the peer, to be written after everything returned before.
    /// - Throws: `.notEstablished` before the handshake completed, `.frameTooLarge` for a payload
    ///   over `frameBytesMax`, `.nonceExhausted`, `.closed`; the channel is then dead.
    public mutating func seal(_ frame: Frame) throws(ChannelError) -> [UInt8] {
        switch state {
        case .closed:
            throw .closed
        case .handshaking:
            state = .closed
            throw .notEstablished
        case .established(var ciphers):
            state = .closed  // restored below; stays closed if sealing throws
            let bytes = try ciphers.seal(frame, frameBytesMax: config.frameBytesMax)
            state = .established(ciphers)
            return bytes
        }
    }

    /// Throws `.handshakeTimeout` when the handshake has not completed by the deadline (creation
    /// time + `handshakeTimeoutNanoseconds`), `.closed` when the channel is dead. The driver calls
    /// it from a timer.
    public func checkDeadline(nowNanoseconds: UInt64) throws(ChannelError) {
        switch state {
        case .closed: throw .closed
        case .established: return
        case .handshaking:
            if nowNanoseconds >= handshakeDeadlineNanoseconds { throw .handshakeTimeout }
        }
    }

    /// One whole Noise message off the wire. The state is set to `.closed` while the message is
    /// handled (which also leaves the bound state's buffers uniquely referenced, so they grow in
    /// place) and restored on success: after a throw the channel stays closed.
    private mutating func handle(_ message: [UInt8], into output: inout ChannelOutput) throws(ChannelError) {
        switch state {
        case .closed:
            throw .closed
        case .handshaking(var handshake):
            state = .closed
            try handleHandshake(message, handshake: &handshake, into: &output)
        case .established(var ciphers):
            state = .closed
            if let frame = try ciphers.open(message, frameBytesMax: config.frameBytesMax) {
                output.frames.append(frame)
            }
            state = .established(ciphers)
        }
    }

    private mutating func handleHandshake(
        _ message: [UInt8], handshake: inout _NoiseHandshakeState, into output: inout ChannelOutput
    ) throws(ChannelError) {
        let payload = try handshake.readMessage(message)
        switch (role, handshake.isComplete) {
        case (.responder, false):
            // Message 1: the initiator's chain id. Answer with message 2.
            try checkChain(payload)
            output.bytesToSend += Self.framed(try handshake.writeMessage(payload: identityPayload()))
            state = .handshaking(handshake)
            return
        case (.responder, true):
            // Message 3: the initiator's identity completes the handshake.
            remotePeer = try verifyIdentity(payload, staticKey: handshake.remoteStaticKey!)
        case (.initiator, _):
            // Message 2: the responder's identity, checked before ours goes out in message 3.
            remotePeer = try verifyIdentity(payload, staticKey: handshake.remoteStaticKey!)
            output.bytesToSend += Self.framed(try handshake.writeMessage(payload: identityPayload()))
        }
        let (send, receive) = handshake.split()
        state = .established(TransportCiphers(send: send, receive: receive))
        output.establishedPeer = remotePeer
    }

    private func checkChain(_ payload: [UInt8]) throws(ChannelError) {
        guard let count = payload.first, count >= 1, Int(count) <= Limits.chainIdBytesMax,
              payload.count == 1 + Int(count)
        else {
            throw .handshakeFailed(reason: "first handshake message does not carry a chain id")
        }
        let theirs = Array(payload.dropFirst())
        guard theirs.elementsEqual(config.chainId.utf8) else {
            // Printable ASCII only: the peer's bytes end up in logs (chain ids are [a-z0-9-]).
            let printable = theirs.map { (0x20...0x7e).contains($0) ? $0 : UInt8(ascii: "?") }
            throw .wrongChain(expected: config.chainId, got: String(decoding: printable, as: UTF8.self))
        }
    }

    private func identityPayload() -> [UInt8] {
        let signature = identity.sign(payload: staticKey.publicKey, kind: .handshake, chainId: config.chainId)
        return identity.publicKey.bytes + signature.bytes
    }

    private func verifyIdentity(_ payload: [UInt8], staticKey remoteStatic: [UInt8]) throws(ChannelError) -> PublicKey {
        guard payload.count == Self.identityPayloadBytes else {
            throw .handshakeFailed(
                reason: "identity payload has \(payload.count) bytes, expected \(Self.identityPayloadBytes)")
        }
        let key = PublicKey(Array(payload[0..<PublicKey.byteCount]))
        let signature = Signature(Array(payload[PublicKey.byteCount...]))
        do {
            try Ed25519.verify(signature, payload: remoteStatic, kind: .handshake, chainId: config.chainId,
                               publicKey: key)
        } catch .invalidPublicKey {
            throw .invalidIdentityKey
        } catch {
            throw .badIdentitySignature
        }
        if let expectedPeer, expectedPeer != key { throw .unexpectedPeer(expected: expectedPeer, got: key) }
        return key
    }

    /// `message` with its u16 big-endian length prefix.
    static func framed(_ message: [UInt8]) -> [UInt8] {
        precondition(message.count <= _NoiseHandshakeState.messageBytesMax, "Noise message too long")
        return [UInt8(message.count >> 8), UInt8(message.count & 0xff)] + message
    }
}
