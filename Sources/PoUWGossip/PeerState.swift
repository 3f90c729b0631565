import PoUWCore

/// What the router knows about one connected peer.
struct PeerState: Sendable {
    /// True when we dialled the peer (counts towards D_out).
    let outbound: Bool
    /// The topics the peer announced (or grafted us on).
    var topics: Set<GossipTopic> = []
    var score = PeerScore()
    /// Whether we last saw the score below the graylist threshold (to report crossings once).
    var graylisted = false
    /// The peer's signed record, handed out in peer exchange.
    var record: SignedEnvelope?
    // Per-heartbeat allowances, reset by each heartbeat.
    var ihavesThisHeartbeat = 0
    var iwantIDsThisHeartbeat = 0
    var iwantServedThisHeartbeat = 0

    init(outbound: Bool) { self.outbound = outbound }

    mutating func resetHeartbeatAllowances() {
        ihavesThisHeartbeat = 0
        iwantIDsThisHeartbeat = 0
        iwantServedThisHeartbeat = 0
    }
}

/// The score of a peer that disconnected, kept until `expiry` so that reconnecting does not clear it.
struct RetainedScore: Sendable {
    var score: PeerScore
    let expiry: Nanoseconds
}

/// A received message waiting for the application's validation result.
struct PendingValidation: Sendable {
    /// The most peers remembered as having also sent the message while it was pending.
    static let duplicateSendersMax = 16

    let topic: GossipTopic
    let data: [UInt8]
    /// The peer we first received it from.
    let source: PublicKey
    /// Peers that sent it again while it was pending: not forwarded to, penalised with the source on reject.
    var duplicateSenders: [PublicKey] = []
    let receivedAt: Nanoseconds
}
