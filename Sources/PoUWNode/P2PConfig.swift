/// Settings of a `P2PNode`: where it listens, whom it dials, and the bounds of every layer.
public import PoUWCore
public import PoUWGossip
public import PoUWNet
public import PoUWUV

/// Everything a `P2PNode` needs besides its identity and loop.
public struct P2PConfig: Sendable {
    /// The chain id bound into every handshake and signed peer record.
    public var chainId: String
    /// Where to listen (port 0: any free port).
    public var listen: SocketAddress
    /// The "host:port" put into our signed peer record (nil: the bound listen address).
    public var advertisedAddress: String?
    /// "host:port" of nodes dialled at start and redialled with backoff while disconnected.
    public var bootnodes: [String]
    /// Largest frame payload sent or accepted, in bytes.
    public var frameBytesMax: Int
    /// How long a peer has to complete the handshake, in nanoseconds.
    public var handshakeTimeoutNanoseconds: UInt64
    /// Socket limits (inbound, per IP, outbound, queued bytes, connect timeout).
    public var tcp: TCPLimits
    /// Connection policy (outbound target, inbound and per-IP limits, backoff).
    public var peers: PeerManagerConfig
    /// Gossipsub parameters; its heartbeat interval drives the node's heartbeat timer.
    public var gossip: GossipConfig
    /// Topics the node subscribes to.
    public var topics: Set<GossipTopic>
    /// Request/response bounds (in flight, timeout, answer size).
    public var requests: RequestTrackerConfig
    /// The peer book file (signed records of peers met), loaded at start and saved while running;
    /// nil: none.
    public var peerBookPath: String?
    /// Seeds the router's and the peer manager's choices.
    public var seed: UInt64

    /// Defaults everywhere but the chain, the listen address and the seed.
    public init(chainId: String, listen: SocketAddress, seed: UInt64) {
        self.chainId = chainId
        self.listen = listen
        advertisedAddress = nil
        bootnodes = []
        frameBytesMax = ChannelConfig.frameBytesMaxDefault
        handshakeTimeoutNanoseconds = ChannelConfig.handshakeTimeoutNanosecondsDefault
        tcp = TCPLimits()
        peers = PeerManagerConfig()
        gossip = GossipConfig()
        topics = Set(GossipTopic.allCases)
        requests = RequestTrackerConfig()
        peerBookPath = nil
        self.seed = seed
    }

    /// Sets the gossip mesh degree D (D_lo = D − D/3, D_hi = 2·D, D_lazy = D, D_score and D_out
    /// scaled down with it) and whether our own messages are flooded to every peer or sent to the
    /// mesh only. A smaller D and no flood publishing cut duplicate copies at the cost of hops.
    /// - Precondition: `meshDegree >= 2`.
    public mutating func setMesh(degree meshDegree: Int, floodPublish: Bool) {
        precondition(meshDegree >= 2, "a gossip mesh needs a degree of at least 2")
        gossip.meshDegree = meshDegree
        gossip.meshDegreeLow = max(1, meshDegree - meshDegree / 3)
        gossip.meshDegreeHigh = 2 * meshDegree
        gossip.gossipDegreeMin = meshDegree
        gossip.meshDegreeScore = min(gossip.meshDegreeScore, meshDegree - meshDegree / 3)
        gossip.meshOutboundMin = min(gossip.meshOutboundMin, meshDegree / 2, gossip.meshDegreeLow - 1)
        gossip.floodPublish = floodPublish
        gossip.check()
    }

    /// Sets the connection limits that matter for a cluster on one host: the outbound target and
    /// the connections per IP (both in `tcp` and `peers`), raising the inbound limits to fit.
    /// - Precondition: `outboundTarget >= 0`, `connectionsPerIPMax >= 1`.
    public mutating func setConnectionLimits(outboundTarget: Int, connectionsPerIPMax: Int) {
        tcp.inboundConnectionsPerHostMax = connectionsPerIPMax
        tcp.inboundConnectionsMax = max(tcp.inboundConnectionsMax, connectionsPerIPMax)
        tcp.outboundConnectionsMax = max(tcp.outboundConnectionsMax, outboundTarget)
        peers = PeerManagerConfig(
            outboundTarget: outboundTarget, outboundMax: max(peers.outboundMax, outboundTarget),
            inboundMax: max(peers.inboundMax, connectionsPerIPMax), connectionsPerIPMax: connectionsPerIPMax,
            backoffBaseNanoseconds: peers.backoffBaseNanoseconds, backoffMaxNanoseconds: peers.backoffMaxNanoseconds,
            backoffJitter: peers.backoffJitter, knownAddressesMax: peers.knownAddressesMax)
    }
}

/// A gossip message handed to the application (to validate or deliver).
public struct P2PMessage: Sendable, Equatable {
    public let topic: GossipTopic
    /// The content id: BLAKE2b-256 of the topic byte and the data.
    public let id: Hash32
    public let data: [UInt8]
    /// The peer we first received it from (ourselves for our own messages).
    public let from: PublicKey
}

/// Traffic and policy totals of a `P2PNode`.
public struct P2PStats: Sendable, Equatable {
    /// Frames and their bytes on the wire (payload, a 5-byte header, and a 2-byte length and a
    /// 16-byte tag per Noise message of up to 65,519 bytes), both directions; handshakes not counted.
    public var framesSent = 0
    public var bytesSent = 0
    public var framesReceived = 0
    public var bytesReceived = 0
    /// Gossip messages received whose id was already seen.
    public var duplicateMessages = 0
    /// Gossip messages delivered to the application.
    public var messagesDelivered = 0
    /// Connections closed before or after the handshake, by a `ChannelError` (hostile bytes,
    /// wrong chain, bad identity, oversized frame, handshake timeout).
    public var channelFailures = 0
    /// Established connections refused by the peer manager (ban, limits, duplicate).
    public var connectionsRefused = 0
    /// Signed peer records dropped because they did not verify.
    public var invalidPeerRecords = 0

    public init() {}

    /// On-wire size of a frame with a payload of `payloadBytes`.
    static func wireBytes(payloadBytes: Int) -> Int {
        let plain = payloadBytes + 5
        let pieces = max(1, (plain + pieceBytesMax - 1) / pieceBytesMax)
        return plain + pieces * 18
    }

    /// Plaintext bytes per Noise transport message.
    private static let pieceBytesMax = 65_519
}
