public import PoUWCore
import PoUWWire

/// A gossipsub v1.1 router as a pure state machine: events in, actions out. No sockets, clock reads
/// or system randomness: time arrives in heartbeat and publish events, randomness comes from the
/// seed, so the same events always produce the same actions (over TCP or in the simulator).
///
/// Semantics (libp2p gossipsub v1.1): per topic a mesh of D peers (kept between D_lo and D_hi, with
/// at least D_out outbound) that messages are forwarded to; fanout sets for topics we publish to
/// without subscribing; a seen cache that drops duplicates; a message cache from which IHAVE gossip
/// is sent to non-mesh peers each heartbeat and IWANT is answered; GRAFT/PRUNE with backoff and
/// peer exchange; peer scores with gossip, publish, graylist and ban thresholds; flood publishing of
/// our own messages. Messages are validated by the application before they are delivered or forwarded.
///
/// Determinism: every choice iterates peers in key order and draws from the seeded generator, never
/// from a hash table's iteration order (which differs between processes).
public struct GossipRouter: Sendable {
    /// Our own identity (never treated as a peer).
    public let localKey: PublicKey
    public let config: GossipConfig
    /// The router's clock: the latest time given in a heartbeat or publish event.
    public internal(set) var nowNanoseconds: Nanoseconds = 0
    /// The topics we subscribe to.
    public internal(set) var subscriptions: Set<GossipTopic> = []
    public internal(set) var counters = GossipCounters()

    var generator: SeededGenerator
    var peers: [PublicKey: PeerState] = [:]
    var mesh: [GossipTopic: Set<PublicKey>] = [:]
    var fanout: [GossipTopic: Set<PublicKey>] = [:]
    var fanoutLastPublished: [GossipTopic: Nanoseconds] = [:]
    var backoffs: BackoffTable
    var seen: SeenCache
    var messageCache: MessageCache
    var pending: [MessageID: PendingValidation] = [:]
    var promises: PromiseTable
    var retainedScores: [PublicKey: RetainedScore] = [:]
    var bans: [PublicKey: Nanoseconds] = [:]
    var lastSubscriptionRefresh: Nanoseconds = 0
    var outbox = Outbox()
    var actions: [GossipAction] = []

    /// - Precondition: `config.check()` holds (it is run here).
    public init(localKey: PublicKey, config: GossipConfig = GossipConfig(), seed: UInt64) {
        config.check()
        GossipLimits.check()
        self.localKey = localKey
        self.config = config
        generator = SeededGenerator(seed: seed)
        backoffs = BackoffTable(capacity: config.backoffEntriesMax)
        seen = SeenCache(ttl: config.seenTTLNanoseconds, capacity: config.seenEntriesMax)
        messageCache = MessageCache(
            historyLength: config.historyLength, gossipLength: config.gossipHistoryLength,
            entriesMax: config.messageCacheEntriesMax, bytesMax: config.messageCacheBytesMax
        )
        promises = PromiseTable(capacity: config.promisesMax)
    }

    /// Handles one event and returns what the driver must do, in order.
    public mutating func handle(_ event: GossipEvent) -> [GossipAction] {
        switch event {
        case .peerConnected(let peer, let outbound): connect(peer, outbound: outbound)
        case .peerDisconnected(let peer): disconnect(peer)
        case .received(let peer, let bytes): receive(bytes, from: peer)
        case .heartbeat(let now): heartbeat(now: now)
        case .publish(let topic, let data, let now): publish(topic: topic, data: data, now: now)
        case .validationResult(let id, let result): finishValidation(id, result)
        case .subscribe(let topic): subscribe(topic)
        case .unsubscribe(let topic): unsubscribe(topic)
        case .peerRecord(let peer, let record): setRecord(record, of: peer)
        }
        return takeActions()
    }

    // MARK: Inspection

    /// The connected peers, in key order.
    public var connectedPeers: [PublicKey] { peers.keys.sorted() }

    /// Our mesh for `topic`, in key order (empty when not subscribed).
    public func meshPeers(_ topic: GossipTopic) -> [PublicKey] { (mesh[topic] ?? []).sorted() }

    /// Our fanout set for `topic`, in key order.
    public func fanoutPeers(_ topic: GossipTopic) -> [PublicKey] { (fanout[topic] ?? []).sorted() }

    /// The topics `peer` announced, or `nil` when it is not connected.
    public func topics(of peer: PublicKey) -> Set<GossipTopic>? { peers[peer]?.topics }

    /// The current score of a connected peer.
    public func score(of peer: PublicKey) -> Double? {
        guard peers[peer] != nil else { return nil }
        return score(peer)
    }

    /// True while `peer` is banned.
    public func isBanned(_ peer: PublicKey) -> Bool { (bans[peer] ?? 0) > nowNanoseconds }

    /// Messages awaiting the application's validation result.
    public var pendingValidationCount: Int { pending.count }

    /// Messages held for IWANT.
    public var messageCacheCount: Int { messageCache.count }

    // MARK: Internals shared by the extensions

    func score(_ peer: PublicKey) -> Double {
        peers[peer]?.score.value(config.score, now: nowNanoseconds) ?? 0
    }

    func sortedPeers(where include: (PublicKey, PeerState) -> Bool) -> [PublicKey] {
        peers.filter { include($0.key, $0.value) }.map(\.key).sorted()
    }

    mutating func advanceClock(to now: Nanoseconds) {
        nowNanoseconds = max(nowNanoseconds, now)
    }

    private mutating func takeActions() -> [GossipAction] {
        for (peer, rpc) in outbox.take() {
            let bytes = Wire.encode(rpc)
            counters.rpcsSent += 1
            counters.bytesSent += bytes.count
            actions.append(.send(to: peer, bytes: bytes))
        }
        defer { actions = [] }
        return actions
    }
}
