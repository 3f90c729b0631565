import PoUWCore
import PoUWCrypto
import PoUWNet
import Testing

@Suite struct PeerManagerTests {
    static let second: Nanoseconds = 1_000_000_000
    let local = KeyPair(seed: [UInt8](repeating: 1, count: 32)).publicKey
    let peerA = KeyPair(seed: [UInt8](repeating: 2, count: 32)).publicKey
    let peerB = KeyPair(seed: [UInt8](repeating: 3, count: 32)).publicKey

    func manager(_ config: PeerManagerConfig = PeerManagerConfig(), seed: UInt64 = 7) -> PeerManager {
        PeerManager(localKey: local, config: config, seed: seed)
    }

    @Test("bootnodes are dialled first, once each, and not again while the dial is in progress")
    func bootnodesFirst() {
        var peers = manager(PeerManagerConfig(outboundTarget: 1, outboundMax: 4))
        peers.learn(address: "10.0.0.9:1", peer: peerA)
        peers.addBootnode("10.0.0.1:1")
        peers.addBootnode("10.0.0.2:1")
        let dials = peers.dialsDue(nowNanoseconds: 0)
        #expect(dials.map(\.address) == ["10.0.0.1:1", "10.0.0.2:1"])
        #expect(dials.allSatisfy { $0.expectedPeer == nil })
        #expect(peers.dialsDue(nowNanoseconds: 0).isEmpty)
        #expect(peers.outboundCount == 2)
    }

    @Test("a failed dial is retried after a backoff that doubles per failure, less at most the jitter")
    func backoffDoublesWithJitter() {
        let config = PeerManagerConfig(backoffBaseNanoseconds: Self.second, backoffMaxNanoseconds: 8 * Self.second,
                                       backoffJitter: 0.2)
        var peers = manager(config)
        peers.addBootnode("10.0.0.1:1")
        var now: Nanoseconds = 0
        var delays: [Nanoseconds] = []
        for _ in 0..<6 {
            #expect(peers.dialsDue(nowNanoseconds: now).count == 1)
            peers.dialFailed("10.0.0.1:1", nowNanoseconds: now)
            #expect(peers.dialsDue(nowNanoseconds: now).isEmpty)
            let next = peers.nextDialNanoseconds!
            delays.append(next - now)
            now = next
        }
        let nominal: [Nanoseconds] = [1, 2, 4, 8, 8, 8].map { $0 * Self.second }
        for (delay, full) in zip(delays, nominal) {
            #expect(delay <= full && Double(delay) >= Double(full) * 0.8, "delay \(delay) for nominal \(full)")
        }
    }

    @Test("the same seed gives the same jitter; another seed gives another")
    func jitterIsSeeded() {
        var first = manager(seed: 1), second = manager(seed: 1), other = manager(seed: 2)
        let a = (1...5).map { first.backoff(failures: $0) }
        #expect(a == (1...5).map { second.backoff(failures: $0) })
        #expect(a != (1...5).map { other.backoff(failures: $0) })
    }

    @Test("known peers are dialled only up to the outbound target, with the identity expected")
    func outboundTarget() {
        var peers = manager(PeerManagerConfig(outboundTarget: 1, outboundMax: 4))
        peers.learn(address: "10.0.0.8:1", peer: peerA)
        peers.learn(address: "10.0.0.9:1", peer: peerB)
        let dials = peers.dialsDue(nowNanoseconds: 0)
        let expected = ["10.0.0.8:1": peerA, "10.0.0.9:1": peerB]
        #expect(dials.count == 1)
        #expect(dials.allSatisfy { expected[$0.address] == $0.expectedPeer })
    }

    @Test("our own address is never learned or dialled")
    func ignoresSelf() {
        var peers = manager()
        peers.learn(address: "10.0.0.1:1", peer: local)
        #expect(peers.knownAddresses.isEmpty)
        #expect(peers.dialsDue(nowNanoseconds: 0).isEmpty)
    }

    @Test("inbound and per-IP limits refuse connections beyond them")
    func admissionLimits() throws {
        var peers = manager(PeerManagerConfig(inboundMax: 1, connectionsPerIPMax: 1))
        _ = try peers.admit(number: 1, peer: peerA, outbound: false, ip: "10.0.0.1", nowNanoseconds: 0)
        #expect(throws: PeerRejection.tooManyInbound(max: 1)) {
            try peers.admit(number: 2, peer: peerB, outbound: false, ip: "10.0.0.2", nowNanoseconds: 0)
        }
        #expect(throws: PeerRejection.tooManyFromIP(ip: "10.0.0.1", max: 1)) {
            try peers.admit(number: 3, peer: peerB, outbound: true, ip: "10.0.0.1", nowNanoseconds: 0)
        }
        peers.closed(number: 1, nowNanoseconds: 0)
        #expect(try peers.admit(number: 4, peer: peerB, outbound: false, ip: "10.0.0.1", nowNanoseconds: 0) == .accept)
    }

    @Test("a banned peer is refused until its ban ends")
    func bans() throws {
        var peers = manager()
        peers.ban(peerA, untilNanoseconds: 10 * Self.second)
        #expect(throws: PeerRejection.banned(untilNanoseconds: 10 * Self.second)) {
            try peers.admit(number: 1, peer: peerA, outbound: false, ip: "10.0.0.1", nowNanoseconds: Self.second)
        }
        #expect(peers.isBanned(peerA, nowNanoseconds: Self.second))
        peers.expireBans(nowNanoseconds: 10 * Self.second)
        #expect(!peers.isBanned(peerA, nowNanoseconds: 10 * Self.second))
        #expect(try peers.admit(number: 2, peer: peerA, outbound: false, ip: "10.0.0.1",
                                nowNanoseconds: 10 * Self.second) == .accept)
    }

    /// Admits `first` then `second` (connection name, outbound) to `peer`; returns the name kept.
    func kept(_ manager: inout PeerManager, peer: PublicKey, _ first: (String, Bool), _ second: (String, Bool))
        throws -> String {
        _ = try manager.admit(number: 1, peer: peer, outbound: first.1, ip: "10.0.0.1", nowNanoseconds: 0)
        do {
            let admission = try manager.admit(number: 2, peer: peer, outbound: second.1, ip: "10.0.0.1",
                                              nowNanoseconds: 0)
            #expect(admission == .replace(replaced: 1))
            return second.0
        } catch {
            #expect(error == .duplicate)
            return first.0
        }
    }

    @Test("of two connections to one identity both ends keep the same one, whatever order they see them in")
    func duplicateTieBreak() throws {
        // Connection "x" was dialled by `local`, "y" by `peerA`; each end sees them in another order.
        var ours = manager()
        var theirs = PeerManager(localKey: peerA, seed: 1)
        let oursKept = try kept(&ours, peer: peerA, ("y", false), ("x", true))
        let theirsKept = try kept(&theirs, peer: local, ("x", false), ("y", true))
        #expect(oursKept == theirsKept)
        #expect(oursKept == (local < peerA ? "x" : "y"))
        #expect(ours.connectedPeers == [peerA])
        #expect(throws: PeerRejection.selfConnection) {
            try ours.admit(number: 3, peer: local, outbound: true, ip: "10.0.0.1", nowNanoseconds: 0)
        }
    }

    @Test("a lost outbound connection is redialled after the base backoff; a connected identity is not dialled")
    func reconnect() throws {
        var peers = manager(PeerManagerConfig(backoffJitter: 0))
        peers.addBootnode("10.0.0.1:1")
        #expect(peers.dialsDue(nowNanoseconds: 0).count == 1)
        peers.dialSucceeded("10.0.0.1:1", peer: peerA)
        _ = try peers.admit(number: 5, peer: peerA, outbound: true, ip: "10.0.0.1", address: "10.0.0.1:1",
                            nowNanoseconds: 0)
        #expect(peers.dialsDue(nowNanoseconds: 100 * Self.second).isEmpty)
        peers.closed(number: 5, nowNanoseconds: 100 * Self.second)
        #expect(peers.dialsDue(nowNanoseconds: 100 * Self.second).isEmpty)
        #expect(peers.dialsDue(nowNanoseconds: 101 * Self.second)
                == [DialTarget(address: "10.0.0.1:1", expectedPeer: peerA)])
    }

    @Test("the order of known peers depends on the seed, not on the addresses alone")
    func seededDialOrder() {
        var firsts: Set<String> = []
        for seed in UInt64(0)..<16 {
            var peers = manager(PeerManagerConfig(outboundTarget: 1, outboundMax: 4), seed: seed)
            for index in 0..<8 {
                peers.learn(address: "10.0.0.\(index):1", peer: KeyPair(seed: [UInt8](repeating: UInt8(index + 20),
                                                                                      count: 32)).publicKey)
            }
            firsts.formUnion(peers.dialsDue(nowNanoseconds: 0).map(\.address))
        }
        #expect(firsts.count > 1)
        var again = manager(PeerManagerConfig(outboundTarget: 3, outboundMax: 4), seed: 5)
        var same = manager(PeerManagerConfig(outboundTarget: 3, outboundMax: 4), seed: 5)
        for index in 0..<8 {
            let key = KeyPair(seed: [UInt8](repeating: UInt8(index + 20), count: 32)).publicKey
            again.learn(address: "10.0.0.\(index):1", peer: key)
            same.learn(address: "10.0.0.\(index):1", peer: key)
        }
        #expect(again.dialsDue(nowNanoseconds: 0) == same.dialsDue(nowNanoseconds: 0))
    }
}
