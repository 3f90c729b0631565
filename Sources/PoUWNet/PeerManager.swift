/// Which peers to dial, which connections to admit, and when to retry: the connection policy of a
/// node as a pure state machine. Time is passed in; jitter comes from a seeded generator.
public import PoUWCore

/// Bounds and timing of a `PeerManager`. Durations in nanoseconds.
public struct PeerManagerConfig: Sendable, Equatable {
    /// Outbound connections the manager tries to keep (it dials known peers until it has this many).
    public var outboundTarget: Int
    /// Most outbound connections (established plus dialling).
    public var outboundMax: Int
    /// Most inbound connections.
    public var inboundMax: Int
    /// Most connections (either direction) from one IP address.
    public var connectionsPerIPMax: Int
    /// First retry delay after a failed dial or a lost outbound connection.
    public var backoffBaseNanoseconds: Nanoseconds
    /// Longest retry delay; the delay doubles per consecutive failure up to this.
    public var backoffMaxNanoseconds: Nanoseconds
    /// The share of a delay removed at random (0 ... 1), so that peers that failed together do not
    /// retry together.
    public var backoffJitter: Double
    /// Most addresses remembered; beyond it new non-bootnode addresses are ignored.
    public var knownAddressesMax: Int

    /// Defaults: keep 8 outbound (at most 16), 48 inbound, 8 per IP, retry after 1 s doubling to 60 s
    /// with 20 % jitter, remember 1,024 addresses.
    /// - Precondition: counts at least 0, `outboundTarget <= outboundMax`, `0 < base <= max`,
    ///   `0 <= jitter <= 1`.
    public init(
        outboundTarget: Int = 8, outboundMax: Int = 16, inboundMax: Int = 48, connectionsPerIPMax: Int = 8,
        backoffBaseNanoseconds: Nanoseconds = 1_000_000_000, backoffMaxNanoseconds: Nanoseconds = 60_000_000_000,
        backoffJitter: Double = 0.2, knownAddressesMax: Int = 1_024
    ) {
        precondition(outboundTarget >= 0 && outboundTarget <= outboundMax, "need 0 <= outboundTarget <= outboundMax")
        precondition(inboundMax >= 0 && connectionsPerIPMax >= 1 && knownAddressesMax >= 1,
                     "connection limits must not be negative")
        precondition(backoffBaseNanoseconds > 0 && backoffBaseNanoseconds <= backoffMaxNanoseconds,
                     "need 0 < backoffBase <= backoffMax")
        precondition(backoffJitter >= 0 && backoffJitter <= 1, "backoffJitter must be within 0 ... 1")
        self.outboundTarget = outboundTarget
        self.outboundMax = outboundMax
        self.inboundMax = inboundMax
        self.connectionsPerIPMax = connectionsPerIPMax
        self.backoffBaseNanoseconds = backoffBaseNanoseconds
        self.backoffMaxNanoseconds = backoffMaxNanoseconds
        self.backoffJitter = backoffJitter
        self.knownAddressesMax = knownAddressesMax
    }
}

/// Why `PeerManager.admit` refused an established connection.
public enum PeerRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer is banned until the given monotonic time.
    case banned(untilNanoseconds: Nanoseconds)
    /// `inboundMax` inbound connections are open.
    case tooManyInbound(max: Int)
    /// `connectionsPerIPMax` connections from this IP are open.
    case tooManyFromIP(ip: String, max: Int)
    /// We are already connected to this identity through a connection that wins the tie-break.
    case duplicate
    /// The peer presented our own identity.
    case selfConnection

    public var description: String {
        switch self {
        case .banned(let until): "peer is banned until monotonic \(until) ns"
        case .tooManyInbound(let max): "\(max) inbound connections already open"
        case .tooManyFromIP(let ip, let max): "\(max) connections from \(ip) already open"
        case .duplicate: "already connected to this peer"
        case .selfConnection: "the peer has our own identity (dialled ourselves)"
        }
    }
}

/// What `admit` decided about a new connection.
public enum PeerAdmission: Sendable, Equatable {
    /// Keep the new connection.
    case accept
    /// Keep the new connection and close the older one to the same identity (`replaced`, an
    /// opaque connection number the driver passed in earlier): the new one wins the tie-break.
    case replace(replaced: UInt64)
}

/// A dial the driver should start now.
public struct DialTarget: Sendable, Equatable {
    /// "host:port".
    public let address: String
    /// The identity expected there, when known from a peer record (nil for a bootnode).
    public let expectedPeer: PublicKey?

    public init(address: String, expectedPeer: PublicKey?) {
        self.address = address
        self.expectedPeer = expectedPeer
    }
}

/// The connection policy of one node: bootnodes and known addresses, the dials due now, admission
/// of established connections (bans, inbound and per-IP limits, one connection per identity),
/// and exponential backoff with jitter for retries.
///
/// Contract: every `dialsDue` target ends in exactly one `dialFailed` or `dialSucceeded`; every
/// `admit` that accepts ends in exactly one `closed`.
public struct PeerManager: Sendable {
    public let config: PeerManagerConfig
    public let localKey: PublicKey

    struct AddressEntry: Sendable {
        var key: PublicKey?
        var isBootnode: Bool
        var failures = 0
        var nextAttemptNanoseconds: Nanoseconds = 0
        var isDialling = false
    }

    struct Connection: Sendable {
        let number: UInt64
        let peer: PublicKey
        let outbound: Bool
        let ip: String
        let address: String?
    }

    var addresses: [String: AddressEntry] = [:]
    var connections: [UInt64: Connection] = [:]
    var byPeer: [PublicKey: UInt64] = [:]
    var bans: [PublicKey: Nanoseconds] = [:]
    var generator: SeededGenerator

    public init(localKey: PublicKey, config: PeerManagerConfig = PeerManagerConfig(), seed: UInt64) {
        self.localKey = localKey
        self.config = config
        generator = SeededGenerator(seed: seed)
    }

    // MARK: Addresses

    /// A bootnode: always remembered, always retried (with backoff) while not connected.
    public mutating func addBootnode(_ address: String) {
        addresses[address, default: AddressEntry(key: nil, isBootnode: true)].isBootnode = true
    }

    /// An address learned from a verified peer record. Ignored for our own key and when
    /// `knownAddressesMax` addresses are remembered.
    public mutating func learn(address: String, peer: PublicKey) {
        guard peer != localKey else { return }
        if addresses[address] != nil {
            addresses[address]?.key = peer
            return
        }
        guard addresses.count < config.knownAddressesMax else { return }
        addresses[address] = AddressEntry(key: peer, isBootnode: false)
    }

    /// Addresses remembered, sorted.
    public var knownAddresses: [String] { addresses.keys.sorted() }

    // MARK: Dialling

    /// Outbound connections established or being dialled.
    public var outboundCount: Int {
        connections.values.filter(\.outbound).count + addresses.values.filter(\.isDialling).count
    }

    /// Inbound connections established.
    public var inboundCount: Int { connections.values.filter { !$0.outbound }.count }

    /// Identities connected, sorted.
    public var connectedPeers: [PublicKey] { byPeer.keys.sorted() }

    /// The dials to start at `now`, marked as in progress: bootnodes not connected first, then other
    /// known peers, until `outboundTarget` (bootnodes: `outboundMax`) outbound connections exist.
    /// Skips addresses still backing off, of connected or banned identities, and being dialled.
    public mutating func dialsDue(nowNanoseconds now: Nanoseconds) -> [DialTarget] {
        var targets: [DialTarget] = []
        var outbound = outboundCount
        let ordered = addresses.keys.sorted { lhs, rhs in
            let l = addresses[lhs]!, r = addresses[rhs]!
            return l.isBootnode != r.isBootnode ? l.isBootnode : lhs < rhs
        }
        for address in ordered {
            let entry = addresses[address]!
            let limit = entry.isBootnode ? config.outboundMax : config.outboundTarget
            guard outbound < limit, !entry.isDialling, entry.nextAttemptNanoseconds <= now else { continue }
            if let key = entry.key, byPeer[key] != nil || isBanned(key, nowNanoseconds: now) || key == localKey {
                continue
            }
            addresses[address]?.isDialling = true
            outbound += 1
            targets.append(DialTarget(address: address, expectedPeer: entry.key))
        }
        return targets
    }

    /// The dial to `address` failed (TCP or handshake): retry after the backoff.
    public mutating func dialFailed(_ address: String, nowNanoseconds now: Nanoseconds) {
        guard var entry = addresses[address] else { return }
        entry.isDialling = false
        entry.failures += 1
        let delay = backoff(failures: entry.failures)
        entry.nextAttemptNanoseconds = now &+ delay
        addresses[address] = entry
    }

    /// The dial to `address` reached `peer` (the handshake completed); call `admit` next.
    public mutating func dialSucceeded(_ address: String, peer: PublicKey) {
        addresses[address]?.isDialling = false
        addresses[address]?.failures = 0
        addresses[address]?.key = peer
    }

    /// The retry delay after `failures` consecutive failures: base · 2^(failures − 1), capped at
    /// the maximum, less a random share of up to `backoffJitter`.
    public mutating func backoff(failures: Int) -> Nanoseconds {
        let doublings = min(max(failures - 1, 0), 40)
        let (scaled, overflow) = config.backoffBaseNanoseconds.multipliedReportingOverflow(by: 1 << UInt64(doublings))
        let delay = overflow ? config.backoffMaxNanoseconds : min(scaled, config.backoffMaxNanoseconds)
        let unit = Double(generator.next() >> 11) / Double(1 << 53)
        return delay - Nanoseconds(Double(delay) * config.backoffJitter * unit)
    }

    /// When `dialsDue` may next return something: the earliest retry time of an idle address, or nil.
    public var nextDialNanoseconds: Nanoseconds? {
        addresses.values.filter { !$0.isDialling }.map(\.nextAttemptNanoseconds).min()
    }

    // MARK: Connections

    /// Decides on an established connection (`number`: the driver's id for it, unique per
    /// connection) to `peer` from `ip`. `address` is the dialled address of an outbound connection.
    /// One connection per identity: of two, the one dialled by the smaller key wins, so both ends
    /// keep the same one.
    public mutating func admit(
        number: UInt64, peer: PublicKey, outbound: Bool, ip: String, address: String? = nil,
        nowNanoseconds now: Nanoseconds
    ) throws(PeerRejection) -> PeerAdmission {
        guard peer != localKey else { throw .selfConnection }
        if let until = bans[peer], until > now { throw .banned(untilNanoseconds: until) }
        if !outbound {
            guard inboundCount < config.inboundMax else { throw .tooManyInbound(max: config.inboundMax) }
        }
        let fromIP = connections.values.filter { $0.ip == ip }.count
        guard fromIP < config.connectionsPerIPMax else { throw .tooManyFromIP(ip: ip, max: config.connectionsPerIPMax) }
        var admission = PeerAdmission.accept
        if let existing = byPeer[peer], let old = connections[existing] {
            let winnerIsOutbound = localKey < peer
            guard outbound == winnerIsOutbound, old.outbound != winnerIsOutbound else { throw .duplicate }
            connections[existing] = nil
            admission = .replace(replaced: existing)
        }
        connections[number] = Connection(number: number, peer: peer, outbound: outbound, ip: ip, address: address)
        byPeer[peer] = number
        return admission
    }

    /// Connection `number` closed (also after a `.replace`: then nothing changes). A lost outbound
    /// connection is retried after the base backoff.
    public mutating func closed(number: UInt64, nowNanoseconds now: Nanoseconds) {
        guard let connection = connections.removeValue(forKey: number) else { return }
        if byPeer[connection.peer] == number { byPeer[connection.peer] = nil }
        if let address = connection.address, addresses[address] != nil {
            let delay = backoff(failures: 1)
            addresses[address]?.failures = 1
            addresses[address]?.nextAttemptNanoseconds = now &+ delay
        }
    }

    // MARK: Bans

    /// Refuses `peer` until `untilNanoseconds`; the driver closes its connection.
    public mutating func ban(_ peer: PublicKey, untilNanoseconds: Nanoseconds) {
        bans[peer] = max(bans[peer] ?? 0, untilNanoseconds)
    }

    /// Whether `peer` is banned at `now`.
    public func isBanned(_ peer: PublicKey, nowNanoseconds now: Nanoseconds) -> Bool {
        (bans[peer] ?? 0) > now
    }

    /// Forgets bans that ended by `now`.
    public mutating func expireBans(nowNanoseconds now: Nanoseconds) {
        bans = bans.filter { $0.value > now }
    }
}
