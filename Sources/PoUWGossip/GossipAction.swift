public import PoUWCore

/// Why the router asks the driver to drop a connection.
public enum DisconnectReason: Sendable, Equatable {
    /// The peer's score fell below the ban threshold, or it is still banned.
    case banned
    /// `GossipConfig.peersMax` peers are already connected.
    case tooManyPeers
}

/// An output of `GossipRouter.handle`, for the driver to carry out in order.
public enum GossipAction: Sendable, Equatable {
    /// Send one frame (an encoded `GossipRPC`) to `to`.
    case send(to: PublicKey, bytes: [UInt8])
    /// Check a new message and answer with a `validationResult` event for `messageID`. Until then it is
    /// neither delivered nor forwarded.
    case validate(topic: GossipTopic, messageID: MessageID, data: [UInt8], from: PublicKey)
    /// A message that validated, first received from `from`: hand it to the application.
    case deliver(topic: GossipTopic, messageID: MessageID, data: [UInt8], from: PublicKey)
    /// Close the connection to the peer. The router has already forgotten it.
    case disconnect(PublicKey, DisconnectReason)
    /// The peer's score fell below the graylist threshold: everything it sends is now ignored.
    case graylisted(PublicKey, score: Double)
    /// The peer is banned until `untilNanoseconds` (the router refuses it until then).
    case banned(PublicKey, untilNanoseconds: Nanoseconds)
    /// Signed records of peers that `from` suggests we dial (it pruned us). Verify before dialling.
    case peerExchange(from: PublicKey, records: [SignedEnvelope])
}
