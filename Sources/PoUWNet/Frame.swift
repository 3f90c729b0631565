/// Application frames: what the secure channel carries once the handshake is done.

/// What a frame carries. The raw value is the frame's first plaintext byte on the wire.
public enum FrameType: UInt8, Sendable, CaseIterable {
    case gossip = 1
    case request = 2
    case response = 3
    case peerExchange = 4
    case ping = 5
    case pong = 6
    case goodbye = 7
}

/// One application message: a type and an opaque payload of at most `ChannelConfig.frameBytesMax`
/// bytes (the payload's encoding belongs to the layer that owns the type: gossip, sync, ...).
public struct Frame: Equatable, Sendable {
    public var type: FrameType
    public var payload: [UInt8]

    public init(type: FrameType, payload: [UInt8]) {
        self.type = type
        self.payload = payload
    }
}
