public import PoUWCore

/// The application's verdict on a gossip message (the `validate` action asks for it).
public enum ValidationResult: Sendable, Equatable {
    /// Valid: deliver it, cache it and forward it to the mesh.
    case accept
    /// Invalid: drop it and penalise the peers that sent it (P4).
    case reject
    /// Not worth forwarding (stale, not for us) but not the sender's fault: drop it, no penalty.
    case ignore
}

/// An input to `GossipRouter.handle`. Time reaches the router only through `heartbeat` and
/// `publish`: the router's clock is the latest time it was given (so received messages are dated
/// to the last heartbeat, good to one heartbeat interval).
public enum GossipEvent: Sendable {
    /// An authenticated connection to `peer` is up; `outbound` when we dialled it.
    case peerConnected(PublicKey, outbound: Bool)
    /// The connection to `peer` is gone (also fine after the router asked for the disconnect).
    case peerDisconnected(PublicKey)
    /// One frame from `peer`. Malformed bytes are penalised, never trusted.
    case received(from: PublicKey, bytes: [UInt8])
    /// The periodic heartbeat (every `GossipConfig.heartbeatIntervalNanoseconds`).
    case heartbeat(nowNanoseconds: Nanoseconds)
    /// Publishes our own message.
    ///
    /// - Precondition: `data.count <= GossipLimits.messageDataBytesMax`.
    case publish(topic: GossipTopic, data: [UInt8], nowNanoseconds: Nanoseconds)
    /// The application's answer to a `validate` action.
    case validationResult(MessageID, ValidationResult)
    /// Join a topic: receive, validate and forward its messages.
    case subscribe(GossipTopic)
    /// Leave a topic.
    case unsubscribe(GossipTopic)
    /// The application verified `record` (a signed `PeerRecord` of `peer`): it may be handed to other
    /// peers in peer exchange.
    ///
    /// - Precondition: `record.signer == peer`, `record.kind == .peerRecord`, and the payload is at
    ///   most `GossipLimits.peerRecordPayloadBytesMax` bytes.
    case peerRecord(PublicKey, SignedEnvelope)
}
