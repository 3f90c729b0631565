import Foundation
import PoUWNet
import Testing

/// Eight `pouw debug gossip-node` processes on loopback, joined through bootnodes, with hostile
/// peers attacking one of them. Timeouts are generous; nothing here asserts on timing.
@Suite(.serialized) struct P2PClusterTests {
    static let nodeCount = 8
    /// Node attacked by the hostile peers; its frame limit is small so an oversized frame is cheap.
    static let target = 3
    static let frameBytesMax = 64 * 1024

    @Test("eight processes mesh from bootnodes; messages from several reach all while hostile peers are cut off")
    func clusterDeliversDespiteHostilePeers() throws {
        let cluster = try GossipCluster()
        defer { cluster.stopAll() }
        try cluster.start(bootnodes: [])
        #expect(GossipCluster.wait(seconds: 10) { cluster.port(0) != nil })
        let bootnode = "127.0.0.1:\(try #require(cluster.port(0)))"
        for index in 1..<Self.nodeCount {
            let extra = index == Self.target
                ? ["--frame-bytes-max", "\(Self.frameBytesMax)", "--handshake-timeout-ms", "1500"] : []
            try cluster.start(bootnodes: [bootnode], extra: extra)
        }
        let meshed = GossipCluster.wait(seconds: 30) {
            (0..<Self.nodeCount).allSatisfy { cluster.peerCount($0) >= 3 }
        }
        #expect(meshed, "peer counts: \((0..<Self.nodeCount).map(cluster.peerCount))")
        // Let a heartbeat or two build the gossip mesh on the new connections.
        sleep(2)

        let firstPublishers = [0, 2, 5, 7]
        for publisher in firstPublishers { cluster.publish(from: publisher) }
        expectEveryoneReceives(cluster, from: firstPublishers, count: 1)

        let targetPort = try #require(cluster.port(Self.target))
        try attack(port: targetPort)

        let secondPublishers = [1, Self.target, 6]
        for publisher in secondPublishers { cluster.publish(from: publisher) }
        var expected = [Int: Int]()
        for publisher in firstPublishers { expected[publisher, default: 0] += 1 }
        for publisher in secondPublishers { expected[publisher, default: 0] += 1 }
        expectEveryoneReceives(cluster, published: expected)
    }

    /// Garbage, a wrong chain, a forged identity signature, an oversized frame and a silent peer:
    /// each connection is closed.
    func attack(port: Int) throws {
        let garbage = try #require(RawSocket(port: port))
        garbage.send((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 7) })
        #expect(garbage.waitForClose(seconds: 10), "garbage bytes did not close the connection")

        let wrongChain = try #require(RawSocket(port: port))
        var foreign = RawSocket.channel(chainId: "another-chain")
        #expect(!wrongChain.handshake(&foreign), "a handshake for another chain completed")
        #expect(wrongChain.waitForClose(seconds: 10), "a wrong-chain peer was not cut off")

        // The hand-made handshake with an honest signature is accepted: the connection stays open.
        let honest = try #require(RawSocket(port: port))
        #expect(honest.manualHandshake(chainId: GossipCluster.chainId, forge: false))
        #expect(!honest.waitForClose(seconds: 1), "an honest hand-made handshake was refused")
        let forger = try #require(RawSocket(port: port))
        #expect(forger.manualHandshake(chainId: GossipCluster.chainId, forge: true), "no answer to message 1")
        #expect(forger.waitForClose(seconds: 10), "a forged identity signature was not cut off")

        let oversized = try #require(RawSocket(port: port))
        var big = RawSocket.channel(chainId: GossipCluster.chainId, frameBytesMax: 4 * Self.frameBytesMax)
        #expect(oversized.handshake(&big), "the honest part of the handshake failed")
        let frame = Frame(type: .gossip, payload: [UInt8](repeating: 0xAB, count: 2 * Self.frameBytesMax))
        oversized.send(try big.seal(frame))
        #expect(oversized.waitForClose(seconds: 10), "an oversized frame did not close the connection")

        let silent = try #require(RawSocket(port: port))
        #expect(silent.waitForClose(seconds: 15), "a peer that never spoke was not cut off")
    }

    func expectEveryoneReceives(_ cluster: GossipCluster, from publishers: [Int], count: Int) {
        expectEveryoneReceives(cluster, published: Dictionary(uniqueKeysWithValues: publishers.map { ($0, count) }))
    }

    /// Waits until each publisher logged its messages and every other process delivered all of them.
    func expectEveryoneReceives(_ cluster: GossipCluster, published: [Int: Int]) {
        let logged = GossipCluster.wait(seconds: 10) {
            published.allSatisfy { cluster.published($0.key).count >= $0.value }
        }
        #expect(logged, "publishers did not log their messages")
        let ids = published.keys.reduce(into: [Int: Set<String>]()) { $0[$1] = cluster.published($1) }
        let everything = ids.values.reduce(Set<String>()) { $0.union($1) }
        func missing(_ node: Int) -> Set<String> {
            everything.subtracting(ids[node] ?? []).subtracting(cluster.delivered(node))
        }
        let reached = GossipCluster.wait(seconds: 30) {
            (0..<Self.nodeCount).allSatisfy { missing($0).isEmpty }
        }
        #expect(reached, "missing per node: \((0..<Self.nodeCount).map { missing($0).count })")
    }
}
