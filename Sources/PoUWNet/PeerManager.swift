/// Which peers to dial, which connections to admit, and when to retry: the connection policy of a
/// node as a pure state machine. Time is passed in; jitter comes from a seeded generator.
public import PoUWCore

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
    /// known peers in a random order (seeded), until `outboundTarget` (bootnodes: `outboundMax`) outbound
    /// connections exist.
    /// Skips addresses still backing off, of connected or banned identities, and being dialled.
    public mutating func dialsDue(nowNanoseconds now: Nanoseconds) -> [DialTarget] {
        var targets: [DialTarget] = []
        var outbound = outboundCount
        // Bootnodes in order, then the others in a seeded random order, so that nodes that learned
        // the same addresses spread their dials instead of all picking the same peers.
        let bootnodes = addresses.filter(\.value.isBootnode).keys.sorted()
        let others = addresses.filter { !$0.value.isBootnode }.keys.sorted().shuffled(using: &generator)
        let ordered = bootnodes + others
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
