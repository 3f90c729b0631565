/// Noise HandshakeState (Noise rev. 34 §5.3) for the one pattern we use, XX:
///
///     -> e
///     <- e, ee, s, es
///     -> s, se
///
/// as `Noise_XX_25519_ChaChaPoly_SHA256`. Pure: keys are passed in, nothing is read from the
/// clock or the OS.
public import PoUWCrypto

/// One side of an XX handshake. Public only for the known-answer tests (`_`), which inject fixed
/// keys; nodes use `SecureChannel`. Messages must alternate as the pattern says: writing or
/// reading out of turn is a bug in the caller and traps.
public struct _NoiseHandshakeState: Sendable {
    public static let protocolName = "Noise_XX_25519_ChaChaPoly_SHA256"
    /// Largest Noise message, in bytes (Noise rev. 34 §3).
    public static let messageBytesMax = 65535
    /// Handshake messages in the pattern.
    static let messageCount = 3

    private let role: ChannelRole
    private var symmetric: NoiseSymmetricState
    private let localStatic: X25519KeyPair
    private let localEphemeral: X25519KeyPair
    private var remoteEphemeral: [UInt8]?
    /// The peer's static X25519 key, once its `s` token was read.
    public private(set) var remoteStaticKey: [UInt8]?
    /// Index of the next message of the pattern (0, 1, 2), 3 when done.
    private var step = 0

    /// Initialize with an empty pre-message pattern: mixes `prologue` into the handshake hash.
    public init(role: ChannelRole, prologue: [UInt8], localStatic: X25519KeyPair, localEphemeral: X25519KeyPair) {
        self.role = role
        self.symmetric = NoiseSymmetricState(protocolName: Self.protocolName)
        self.localStatic = localStatic
        self.localEphemeral = localEphemeral
        symmetric.mixHash(prologue)
    }

    /// Whether all three messages were written or read.
    public var isComplete: Bool { step == Self.messageCount }

    /// `h`: after the handshake, a unique id of this session, equal on both sides.
    public var handshakeHash: [UInt8] { symmetric.handshakeHash }

    /// Whether the next message is this side's to write.
    public var isMyTurn: Bool { !isComplete && (step % 2 == 0) == (role == .initiator) }

    /// The next handshake message, carrying `payload` (encrypted from message 2 on).
    /// - Precondition: it is this side's turn; the message fits in `messageBytesMax`.
    public mutating func writeMessage(payload: [UInt8]) throws(ChannelError) -> [UInt8] {
        precondition(isMyTurn, "Noise XX: writing message \(step) out of turn")
        var message = [UInt8]()
        switch step {
        case 0:
            message += writeEphemeral()
        case 1:
            message += writeEphemeral()
            try mixDH(localEphemeral, remoteEphemeral!)                      // ee
            message += try symmetric.encryptAndHash(localStatic.publicKey)   // s
            try mixDH(localStatic, remoteEphemeral!)                         // es (responder side)
        default:
            message += try symmetric.encryptAndHash(localStatic.publicKey)   // s
            try mixDH(localStatic, remoteEphemeral!)                         // se (initiator side)
        }
        message += try symmetric.encryptAndHash(payload)
        precondition(message.count <= Self.messageBytesMax, "Noise message of \(message.count) bytes")
        step += 1
        return message
    }

    /// The payload of the peer's next handshake message.
    /// - Throws: `.handshakeFailed` (too short, too long, undecryptable), `.lowOrderPoint`.
    /// - Precondition: it is the peer's turn.
    public mutating func readMessage(_ message: [UInt8]) throws(ChannelError) -> [UInt8] {
        precondition(!isComplete && !isMyTurn, "Noise XX: reading message \(step) out of turn")
        guard message.count <= Self.messageBytesMax else {
            throw .handshakeFailed(reason: "handshake message \(step + 1) has \(message.count) bytes")
        }
        var reader = ByteReader(message, step: step)
        switch step {
        case 0:
            try readEphemeral(&reader)
        case 1:
            try readEphemeral(&reader)
            try mixDH(localEphemeral, remoteEphemeral!)                      // ee
            try readStatic(&reader)                                          // s
            try mixDH(localEphemeral, remoteStaticKey!)                      // es (initiator side)
        default:
            try readStatic(&reader)                                          // s
            try mixDH(localEphemeral, remoteStaticKey!)                      // se (responder side)
        }
        let payload = try decrypt(reader.rest(), field: "payload")
        step += 1
        return payload
    }

    /// The transport ciphers: (this side's sending cipher, its receiving cipher).
    /// - Precondition: the handshake is complete.
    public func split() -> (send: _NoiseCipherState, receive: _NoiseCipherState) {
        precondition(isComplete, "Noise XX: split before the handshake completed")
        let (toResponder, toInitiator) = symmetric.split()
        return role == .initiator ? (toResponder, toInitiator) : (toInitiator, toResponder)
    }

    private mutating func writeEphemeral() -> [UInt8] {
        symmetric.mixHash(localEphemeral.publicKey)
        return localEphemeral.publicKey
    }

    private mutating func readEphemeral(_ reader: inout ByteReader) throws(ChannelError) {
        let key = try reader.take(X25519KeyPair.byteCount, field: "ephemeral key")
        guard !X25519.isLowOrder(key) else { throw .lowOrderPoint }
        symmetric.mixHash(key)
        remoteEphemeral = key
    }

    private mutating func readStatic(_ reader: inout ByteReader) throws(ChannelError) {
        let sealed = try reader.take(X25519KeyPair.byteCount + ChaCha20Poly1305.tagByteCount, field: "static key")
        let key = try decrypt(sealed, field: "static key")
        guard !X25519.isLowOrder(key) else { throw .lowOrderPoint }
        remoteStaticKey = key
    }

    private mutating func decrypt(_ ciphertext: [UInt8], field: String) throws(ChannelError) -> [UInt8] {
        do {
            return try symmetric.decryptAndHash(ciphertext)
        } catch .decryptFailed {
            throw .handshakeFailed(reason: "could not decrypt the \(field) of handshake message \(step + 1)")
        } catch {
            throw error
        }
    }

    /// MixKey(DH(local, remote)).
    private mutating func mixDH(_ local: X25519KeyPair, _ remote: [UInt8]) throws(ChannelError) {
        do {
            symmetric.mixKey(try local.sharedSecret(with: remote))
        } catch {
            throw .lowOrderPoint
        }
    }
}

/// Reads fixed-size fields off the front of a handshake message.
private struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let step: Int

    init(_ bytes: [UInt8], step: Int) {
        self.bytes = bytes
        self.step = step
    }

    mutating func take(_ count: Int, field: String) throws(ChannelError) -> [UInt8] {
        guard bytes.count - offset >= count else {
            throw .handshakeFailed(reason: "handshake message \(step + 1) too short for its \(field)")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    func rest() -> [UInt8] { Array(bytes[offset...]) }
}
