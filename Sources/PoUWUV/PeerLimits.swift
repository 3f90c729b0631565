/// The bounds of one secure peer connection, and how its secure channel is made.
public import PoUWCore
public import PoUWNet

/// Per-peer bounds on frames received but not yet handed to the delegate.
public struct PeerLimits: Sendable, Equatable {
    /// Most frames waiting for the delegate; frames arriving beyond it are dropped and counted in
    /// `PeerConnection.droppedInboundFrames`.
    public var inboundFramesMax: Int
    /// Most payload bytes of the frames waiting for the delegate; beyond it, frames are dropped.
    public var inboundBytesMax: Int
    /// Frames handed to the delegate from one peer before the loop turns to other work, so that one
    /// busy peer cannot starve the rest.
    public var deliveryBatchFramesMax: Int

    /// Defaults: 1,024 frames and 16 MiB waiting, 64 frames per turn.
    /// - Precondition: all at least 1.
    public init(
        inboundFramesMax: Int = 1_024, inboundBytesMax: Int = 16 * 1024 * 1024, deliveryBatchFramesMax: Int = 64
    ) {
        precondition(inboundFramesMax >= 1 && inboundBytesMax >= 1 && deliveryBatchFramesMax >= 1,
                     "peer limits must be at least 1")
        self.inboundFramesMax = inboundFramesMax
        self.inboundBytesMax = inboundBytesMax
        self.deliveryBatchFramesMax = deliveryBatchFramesMax
    }
}

/// Makes the `SecureChannel` of each connection. PoUWUV does not hold the node's identity: the
/// closure does (it typically calls `SecureChannel(role:identity:config:expectedPeer:nowNanoseconds:
/// entropy:)` with the node's key pair, `config`, and `SystemEntropy()`).
public struct ChannelFactory: Sendable {
    /// The configuration every channel made here uses; its handshake timeout arms the deadline timer.
    public let config: ChannelConfig
    private let make: @Sendable (ChannelRole, PublicKey?, Nanoseconds) -> SecureChannel

    /// - Parameter make: builds a channel with `config` for the role (the dialler is the initiator),
    ///   the identity expected from the peer (nil: any), and the current monotonic time.
    public init(
        config: ChannelConfig,
        make: @escaping @Sendable (_ role: ChannelRole, _ expectedPeer: PublicKey?, _ nowNanoseconds: Nanoseconds)
            -> SecureChannel
    ) {
        self.config = config
        self.make = make
    }

    func channel(role: ChannelRole, expectedPeer: PublicKey?, nowNanoseconds: Nanoseconds) -> SecureChannel {
        let channel = make(role, expectedPeer, nowNanoseconds)
        precondition(channel.role == role, "ChannelFactory made a \(channel.role) channel, \(role) was asked for")
        return channel
    }
}
