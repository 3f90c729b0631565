public import PoUWCore

/// The tunable behaviour of a `GossipRouter` (gossipsub v1.1's parameters). Durations are in
/// nanoseconds of the clock the driver passes in heartbeat and publish events. Every size that can
/// grow with what peers send is bounded here. The defaults are the gossipsub v1.1 defaults where
/// gossipsub has one.
public struct GossipConfig: Sendable {
    /// One second, in nanoseconds.
    public static let second: Nanoseconds = 1_000_000_000

    // MARK: Mesh

    /// D: the mesh degree heartbeats aim for.
    public var meshDegree = 6
    /// D_lo: below this many mesh peers a heartbeat grafts up to D.
    public var meshDegreeLow = 4
    /// D_hi: above this many mesh peers a heartbeat prunes down to D.
    public var meshDegreeHigh = 12
    /// D_lazy: the fewest peers a heartbeat sends IHAVE gossip to, per topic.
    public var gossipDegreeMin = 6
    /// D_score: how many of the best-scoring mesh peers a prune keeps.
    public var meshDegreeScore = 4
    /// D_out: the fewest outbound (dialled by us) peers a mesh keeps.
    public var meshOutboundMin = 2
    /// The share of eligible non-mesh peers that gets IHAVE gossip each heartbeat (at least D_lazy).
    public var gossipFactor = 0.25

    // MARK: Time

    /// The interval at which the driver sends heartbeat events.
    public var heartbeatIntervalNanoseconds: Nanoseconds = second
    /// How long a fanout set for a topic we do not subscribe to lives after our last publish.
    public var fanoutTTLNanoseconds: Nanoseconds = 60 * second
    /// Backoff after a PRUNE, before the pruned side may graft again.
    public var pruneBackoffNanoseconds: Nanoseconds = 60 * second
    /// Backoff sent with the PRUNEs of an unsubscribe.
    public var unsubscribeBackoffNanoseconds: Nanoseconds = 10 * second
    /// Extra wait on top of a backoff before we graft, so clocks that run apart never make our GRAFT
    /// arrive inside the peer's backoff (two heartbeats covers heartbeat-grained clocks).
    public var backoffSlackNanoseconds: Nanoseconds = 2 * second
    /// A GRAFT this soon after we pruned the peer costs an extra behaviour penalty.
    public var graftFloodThresholdNanoseconds: Nanoseconds = 10 * second
    /// How long a peer that answered an IHAVE with nothing has to deliver a promised message.
    public var iwantFollowupNanoseconds: Nanoseconds = 3 * second
    /// How long a message id stays in the seen cache.
    public var seenTTLNanoseconds: Nanoseconds = 120 * second
    /// How long the application may take to validate a message before it is dropped.
    public var validationTimeoutNanoseconds: Nanoseconds = 30 * second
    /// How often our subscriptions are announced again to every peer (0: only on connect). Over a
    /// reliable channel this is insurance; where frames can be lost, a lost announcement would hide
    /// us from a peer's gossip for as long as the connection lasts.
    public var subscriptionRefreshIntervalNanoseconds: Nanoseconds = 60 * second
    /// How long a banned peer is refused.
    public var banDurationNanoseconds: Nanoseconds = 600 * second

    // MARK: Caches and caps

    /// mcache_len: heartbeats a message stays in the message cache (for IWANT).
    public var historyLength = 5
    /// mcache_gossip: the newest heartbeats of the message cache that IHAVE gossip advertises.
    public var gossipHistoryLength = 3
    /// Most ids in the seen cache.
    public var seenEntriesMax = 65_536
    /// Most messages in the message cache.
    public var messageCacheEntriesMax = 8192
    /// Most bytes of message data in the message cache.
    public var messageCacheBytesMax = 64 * 1024 * 1024
    /// Most connected peers; connections beyond are refused.
    public var peersMax = 256
    /// Most messages waiting for the application's validation result; more are dropped unseen.
    public var pendingValidationsMax = 4096
    /// Most IHAVE entries handled per peer per heartbeat.
    public var ihavesPerPeerPerHeartbeatMax = 10
    /// Most ids asked for with IWANT per peer per heartbeat (also the most ids in one IHAVE we send).
    public var iwantIDsPerPeerPerHeartbeatMax = 5000
    /// Most messages served in answer to IWANT per peer per heartbeat.
    public var iwantServedPerPeerPerHeartbeatMax = 1000
    /// Most times one message is sent to one peer in answer to IWANT.
    public var gossipRetransmissionMax = 3
    /// Most message ids with an open IWANT promise.
    public var promisesMax = 4096
    /// Most (peer, topic) backoffs remembered.
    public var backoffEntriesMax = 4096
    /// Most peers remembered as banned.
    public var bannedPeersMax = 1024
    /// Most scores of disconnected peers remembered.
    public var retainedScoresMax = 1024

    // MARK: Publishing and peer exchange

    /// Send our own messages to every peer of the topic above the publish threshold, not only the mesh.
    public var floodPublish = true
    /// Larger own messages go to the mesh (or fanout) only, to bound the burst flood publish costs.
    public var floodPublishBytesMax = 64 * 1024
    /// Attach signed records of other peers to the PRUNEs we send.
    public var peerExchange = true
    /// Most records attached to one PRUNE.
    public var peerExchangeRecordsMax = GossipLimits.peerExchangeRecordsMax

    // MARK: Scoring

    public var score = PeerScoreParameters()
    public var thresholds = PeerScoreThresholds()

    public init() {}

    /// Preconditions on how the parameters relate; `GossipRouter.init` runs them.
    public func check() {
        precondition(meshDegreeLow >= 1 && meshDegreeLow <= meshDegree && meshDegree <= meshDegreeHigh,
                     "need 1 <= D_lo <= D <= D_hi")
        precondition(meshOutboundMin >= 0 && meshOutboundMin < meshDegreeLow && meshOutboundMin <= meshDegree / 2,
                     "need D_out < D_lo and D_out <= D/2")
        precondition(meshDegreeScore >= 0 && meshDegreeScore <= meshDegree, "need 0 <= D_score <= D")
        precondition(gossipDegreeMin >= 0 && gossipFactor >= 0 && gossipFactor <= 1)
        precondition(gossipHistoryLength >= 1 && gossipHistoryLength <= historyLength,
                     "IHAVE can only advertise what the message cache holds")
        precondition(heartbeatIntervalNanoseconds > 0)
        precondition(pruneBackoffNanoseconds <= Nanoseconds(GossipLimits.pruneBackoffSecondsMax) * Self.second)
        precondition(unsubscribeBackoffNanoseconds <= Nanoseconds(GossipLimits.pruneBackoffSecondsMax) * Self.second)
        precondition((1...GossipLimits.idsPerControlMax).contains(iwantIDsPerPeerPerHeartbeatMax))
        precondition(ihavesPerPeerPerHeartbeatMax >= 1 && ihavesPerPeerPerHeartbeatMax <= GossipLimits.ihavesPerRPCMax)
        precondition(peerExchangeRecordsMax >= 0 && peerExchangeRecordsMax <= GossipLimits.peerExchangeRecordsMax)
        precondition(seenEntriesMax >= 1 && messageCacheEntriesMax >= 1 && messageCacheBytesMax >= 1)
        precondition(peersMax >= 1 && pendingValidationsMax >= 1 && promisesMax >= 1)
        precondition(backoffEntriesMax >= 1 && bannedPeersMax >= 1 && retainedScoresMax >= 0)
        precondition(gossipRetransmissionMax >= 1 && iwantServedPerPeerPerHeartbeatMax >= 1)
        precondition(floodPublishBytesMax >= 0 && floodPublishBytesMax <= GossipLimits.messageDataBytesMax)
        score.check()
        thresholds.check()
    }
}
