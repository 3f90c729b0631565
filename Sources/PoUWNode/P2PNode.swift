/// The networking driver of a node: secure TCP peers, the gossip router, the peer manager, peer
/// exchange, the peer book and request/response, all on one event loop.
public import PoUWCore
public import PoUWCrypto
public import PoUWGossip
import PoUWNet
public import PoUWUV

/// Why `P2PNode.start` failed.
public enum P2PError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Listening failed (address in use, not numeric, ...).
    case listenFailed(address: String, reason: String)
    /// A bootnode is not "host:port" with a numeric host.
    case badAddress(String)

    public var description: String {
        switch self {
        case .listenFailed(let address, let reason):
            "cannot listen on \(address): \(reason); pick a free port or another address"
        case .badAddress(let address):
            "\(address) is not HOST:PORT with a numeric IPv4 or IPv6 host"
        }
    }
}

/// Runs a node's peer-to-peer networking on an `EventLoop`:
///
/// - a `PeerTransport` (Noise XX over TCP) that listens and dials;
/// - a `PeerManager` that picks dials (bootnodes first, then peers from signed records), admits
///   established connections (bans, inbound and per-IP limits, one connection per identity) and
///   retries with exponential backoff;
/// - a `GossipRouter` fed with connection events and gossip frames, whose actions are carried out
///   here (send, validate through `validator`, deliver through `onDeliver`, disconnect, ban);
/// - peer exchange of signed `PeerRecord`s (`FrameType.peerExchange`), verified before use and
///   kept in the peer book;
/// - request/response (`FrameType.request` / `.response`) through a `RequestTracker`, answered by
///   `requestHandler`.
///
/// Create it anywhere; call everything else on the loop thread.
public final class P2PNode: @unchecked Sendable {
    public let identity: KeyPair
    public let config: P2PConfig
    public let loop: EventLoop

    /// Checks a gossip message before it is delivered or forwarded (default: accept all).
    public var validator: ((P2PMessage) -> ValidationResult)?
    /// Receives each accepted gossip message once (not our own).
    public var onDeliver: ((P2PMessage) -> Void)?
    /// Answers a request from a peer; nil (or no handler): no answer, the requester times out.
    public var requestHandler: ((PublicKey, [UInt8]) -> [UInt8]?)?
    /// Hears connection events, for logs: (peer, connected).
    public var onPeer: ((PublicKey, Bool) -> Void)?

    let clock: any Clock
    var router: GossipRouter
    var peerManager: PeerManager
    var requests: RequestTracker<PublicKey, Nanoseconds>
    var requestCompletions: [RequestId: (Result<[UInt8], P2PRequestError>) -> Void] = [:]
    var transport: PeerTransport?
    var listener: TCPListener?
    var heartbeatTimer: TimerID?
    /// Established, admitted connections by identity (one each).
    var connections: [PublicKey: PeerConnection] = [:]
    /// Identity of each admitted connection, by connection id.
    var admitted: [ConnectionID: PublicKey] = [:]
    /// The address each outbound connection dialled.
    var dialledAddresses: [ConnectionID: String] = [:]
    /// Peer exchange frames received per connection, bounded by `peerExchangeFramesMax`.
    var peerExchangeFrames: [ConnectionID: Int] = [:]
    var peerBook: PeerBook
    var ownRecord: SignedEnvelope?
    var heartbeats = 0
    var isShutDown = false
    var statsStore = P2PStats()

    public init(identity: KeyPair, config: P2PConfig, loop: EventLoop, clock: any Clock = SystemClock()) {
        self.identity = identity
        self.config = config
        self.loop = loop
        self.clock = clock
        router = GossipRouter(localKey: identity.publicKey, config: config.gossip, seed: config.seed)
        peerManager = PeerManager(localKey: identity.publicKey, config: config.peers, seed: config.seed &+ 1)
        requests = RequestTracker(config: config.requests)
        peerBook = PeerBook(path: config.peerBookPath, chainId: config.chainId, localKey: identity.publicKey)
    }

    /// Traffic and policy totals.
    public var stats: P2PStats {
        checkLoop()
        var stats = statsStore
        stats.duplicateMessages = router.counters.duplicateMessages
        stats.messagesDelivered = router.counters.messagesDelivered
        return stats
    }

    /// The router's counters (messages, RPCs, grafts, prunes, bans).
    public var gossipCounters: GossipCounters {
        checkLoop()
        return router.counters
    }

    /// Identities with an established, admitted connection, sorted.
    public var connectedPeers: [PublicKey] {
        checkLoop()
        return connections.keys.sorted()
    }

    /// The bound listen port (after `start`).
    public var listenPort: UInt16? {
        checkLoop()
        return listener?.port
    }

    /// Addresses the peer manager knows (bootnodes, peer book, peer exchange), sorted.
    public var knownAddresses: [String] {
        checkLoop()
        return peerManager.knownAddresses
    }

    /// Listens, loads the peer book, subscribes, dials bootnodes and starts the heartbeat.
    /// - Throws: `P2PError`.
    public func start() throws(P2PError) {
        checkLoop()
        precondition(transport == nil, "P2PNode.start called twice")
        for bootnode in config.bootnodes {
            guard Self.socketAddress(bootnode) != nil else { throw .badAddress(bootnode) }
        }
        let identity = identity
        let channelConfig = ChannelConfig(chainId: config.chainId, frameBytesMax: config.frameBytesMax,
                                          handshakeTimeoutNanoseconds: config.handshakeTimeoutNanoseconds)
        let factory = ChannelFactory(config: channelConfig) { role, expected, now in
            SecureChannel(role: role, identity: identity, config: channelConfig, expectedPeer: expected,
                          nowNanoseconds: now, entropy: SystemEntropy())
        }
        let tcp = TCPTransport(loop: loop, limits: config.tcp)
        let transport = PeerTransport(tcp: tcp, channels: factory, clock: clock)
        transport.delegate = self
        do {
            listener = try transport.listen(on: config.listen)
        } catch {
            throw .listenFailed(address: config.listen.description, reason: "\(error)")
        }
        self.transport = transport
        let port = listener?.port ?? config.listen.port
        let advertised = config.advertisedAddress
            ?? SocketAddress(host: config.listen.host, port: port).description
        let now = clock.unixMilliseconds()
        ownRecord = PeerRecord(nodeKey: identity.publicKey, addresses: [advertised], sequence: now,
                               unixMilliseconds: now).signed(chainId: config.chainId, by: identity)
        for bootnode in config.bootnodes { peerManager.addBootnode(bootnode) }
        for (record, envelope) in peerBook.load() { learn(record, envelope) }
        for topic in config.topics.sorted() { perform(router.handle(.subscribe(topic))) }
        heartbeatTimer = loop.schedule(
            after: config.gossip.heartbeatIntervalNanoseconds, repeating: config.gossip.heartbeatIntervalNanoseconds
        ) { [weak self] in self?.heartbeat() }
        dialDue()
    }

    /// Publishes `data` on `topic` and returns its id. Our own messages are not delivered to us.
    /// - Precondition: `data.count <= GossipLimits.messageDataBytesMax`.
    @discardableResult
    public func publish(_ data: [UInt8], topic: GossipTopic = .transactions) -> Hash32 {
        checkLoop()
        perform(router.handle(.publish(topic: topic, data: data, nowNanoseconds: clock.monotonicNanoseconds())))
        return MessageID(topic: topic, data: data).hash
    }

    /// Closes the listener and every connection (saying goodbye) and saves the peer book; dials
    /// still in progress are closed when they connect. The node cannot be started again.
    public func shutdown() {
        checkLoop()
        isShutDown = true
        if let heartbeatTimer { loop.cancel(heartbeatTimer) }
        heartbeatTimer = nil
        listener?.close()
        for (_, connection) in connections {
            try? connection.send(Frame(type: .goodbye, payload: []))
            connection.close(reason: "shutting down", flush: true)
        }
        peerBook.save()
    }

    // MARK: Heartbeat and dialling

    func heartbeat() {
        let now = clock.monotonicNanoseconds()
        heartbeats += 1
        perform(router.handle(.heartbeat(nowNanoseconds: now)))
        for ended in requests.expire(nowNanoseconds: now) {
            requestCompletions.removeValue(forKey: ended.id)?(.failure(.timedOut))
        }
        peerManager.expireBans(nowNanoseconds: now)
        dialDue()
        if heartbeats % Self.peerBookSaveHeartbeats == 0 { peerBook.save() }
    }

    /// Peer exchange frames handled per connection; later ones are ignored, so that a peer cannot
    /// make us verify signatures without end (64 records each).
    public static let peerExchangeFramesMax = 4

    /// Heartbeats between peer book saves (when it changed).
    static let peerBookSaveHeartbeats = 10

    func dialDue() {
        guard let transport, !isShutDown else { return }
        let now = clock.monotonicNanoseconds()
        for target in peerManager.dialsDue(nowNanoseconds: now) {
            guard let address = Self.socketAddress(target.address) else {
                peerManager.dialFailed(target.address, nowNanoseconds: now)
                continue
            }
            do {
                try transport.dial(address, expectedPeer: target.expectedPeer) { [weak self] result in
                    guard let self else { return }
                    switch result {
                    case .success(let connection): dialledAddresses[connection.id] = target.address
                    case .failure: peerManager.dialFailed(target.address, nowNanoseconds: clock.monotonicNanoseconds())
                    }
                }
            } catch {
                peerManager.dialFailed(target.address, nowNanoseconds: now)
            }
        }
    }

    /// - Precondition: on the loop thread.
    func checkLoop() {
        precondition(loop.isInLoopThread, "P2PNode must be used on its event loop's thread")
    }

    /// "host:port" or "[v6]:port" as a socket address, or nil.
    static func socketAddress(_ text: String) -> SocketAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return nil }
        return SocketAddress(host: host, port: port)
    }
}
