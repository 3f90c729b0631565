/// The transport phase of a secure channel: frames cut into Noise messages and put back together.

/// The two ciphers of an established channel and the frame being reassembled. See the wire format
/// in `SecureChannel`.
struct TransportCiphers: Sendable {
    /// Bytes of the frame header: u32 little-endian length of type + payload.
    static let lengthBytes = 4
    /// Most plaintext in one Noise transport message: 65,535 - 16 bytes of tag.
    static let pieceBytesMax = _NoiseHandshakeState.messageBytesMax - 16

    private var send: _NoiseCipherState
    private var receive: _NoiseCipherState
    /// The frame being received: its type, its expected payload length and the payload so far.
    private var partial: (type: FrameType, payloadBytes: Int, payload: [UInt8])?

    /// Payload bytes of the frame being received.
    var partialByteCount: Int { partial?.payload.count ?? 0 }

    init(send: _NoiseCipherState, receive: _NoiseCipherState) {
        self.send = send
        self.receive = receive
    }

    /// The wire bytes (length-prefixed Noise messages) of `frame`.
    mutating func seal(_ frame: Frame, frameBytesMax: Int) throws(ChannelError) -> [UInt8] {
        guard frame.payload.count <= frameBytesMax else {
            throw .frameTooLarge(bytes: frame.payload.count, max: frameBytesMax)
        }
        let length = UInt32(1 + frame.payload.count)
        var plain = [UInt8]()
        plain.reserveCapacity(Self.lengthBytes + Int(length))
        for index in 0..<Self.lengthBytes { plain.append(UInt8(truncatingIfNeeded: length >> (8 * UInt32(index)))) }
        plain.append(frame.type.rawValue)
        plain.append(contentsOf: frame.payload)
        var wire = [UInt8]()
        let pieces = (plain.count + Self.pieceBytesMax - 1) / Self.pieceBytesMax
        wire.reserveCapacity(plain.count + pieces * (SecureChannel.lengthPrefixBytes + 16))
        var start = 0
        while start < plain.count {
            let end = min(start + Self.pieceBytesMax, plain.count)
            let sealed = try send.encrypt(associatedData: [], plaintext: Array(plain[start..<end]))
            wire.append(UInt8(sealed.count >> 8))
            wire.append(UInt8(sealed.count & 0xff))
            wire.append(contentsOf: sealed)
            start = end
        }
        return wire
    }

    /// Opens one Noise transport message; returns the frame it completes, if any.
    mutating func open(_ message: [UInt8], frameBytesMax: Int) throws(ChannelError) -> Frame? {
        let piece = try receive.decrypt(associatedData: [], ciphertext: message)
        guard var current = partial else { return try begin(piece, frameBytesMax: frameBytesMax) }
        partial = nil
        guard !piece.isEmpty else { throw .malformedFrame(reason: "empty continuation piece") }
        guard current.payload.count + piece.count <= current.payloadBytes else {
            throw .malformedFrame(reason: "frame runs past its announced length of \(current.payloadBytes) bytes")
        }
        current.payload.append(contentsOf: piece)
        return finish(current)
    }

    private mutating func begin(_ piece: [UInt8], frameBytesMax: Int) throws(ChannelError) -> Frame? {
        guard piece.count > Self.lengthBytes else {
            throw .malformedFrame(reason: "first piece of \(piece.count) bytes holds no frame header")
        }
        var length = 0
        for index in 0..<Self.lengthBytes { length |= Int(piece[index]) << (8 * index) }
        guard length >= 1 else { throw .malformedFrame(reason: "frame length 0 leaves no room for its type") }
        guard length - 1 <= frameBytesMax else { throw .frameTooLarge(bytes: length - 1, max: frameBytesMax) }
        guard let type = FrameType(rawValue: piece[Self.lengthBytes]) else {
            throw .malformedFrame(reason: "unknown frame type \(piece[Self.lengthBytes])")
        }
        guard piece.count - Self.lengthBytes <= length else {
            throw .malformedFrame(reason: "frame runs past its announced length of \(length - 1) bytes")
        }
        return finish((type, length - 1, Array(piece[(Self.lengthBytes + 1)...])))
    }

    /// The frame when all its payload arrived, else keeps it as `partial`.
    private mutating func finish(_ current: (type: FrameType, payloadBytes: Int, payload: [UInt8])) -> Frame? {
        guard current.payload.count == current.payloadBytes else {
            partial = current
            return nil
        }
        return Frame(type: current.type, payload: current.payload)
    }
}
