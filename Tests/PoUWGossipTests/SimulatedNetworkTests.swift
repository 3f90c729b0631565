import PoUWCore
import PoUWTesting
import Testing

/// A node that records everything that happens to it and sends what it is told to.
struct RecordingNode: SimulatedNode {
    struct Reception: Equatable {
        let from: PublicKey
        let bytes: [UInt8]
        let at: Nanoseconds
    }

    var received: [Reception] = []
    var ticks: [Nanoseconds] = []
    var outboundLinks: [PublicKey] = []
    var inboundLinks: [PublicKey] = []
    var linksDown: [PublicKey] = []

    mutating func linkUp(_ peer: PublicKey, outbound: Bool, now: Nanoseconds) -> [NetworkCommand] {
        if outbound { outboundLinks.append(peer) } else { inboundLinks.append(peer) }
        return []
    }

    mutating func linkDown(_ peer: PublicKey, now: Nanoseconds) -> [NetworkCommand] {
        linksDown.append(peer)
        return []
    }

    mutating func receive(_ bytes: [UInt8], from peer: PublicKey, now: Nanoseconds) -> [NetworkCommand] {
        received.append(Reception(from: peer, bytes: bytes, at: now))
        return []
    }

    mutating func tick(now: Nanoseconds) -> [NetworkCommand] {
        ticks.append(now)
        return []
    }
}

@Suite struct SimulatedNetworkTests {
    static func network(
        nodes: Int, loss: Double = 0, seed: UInt64 = 42
    ) -> SimulatedNetwork<RecordingNode> {
        var conditions = NetworkConditions()
        conditions.lossProbability = loss
        let keys = (0..<nodes).map { PublicKey([UInt8(1 + $0)] + [UInt8](repeating: 0, count: 31)) }
        let recorders = Array(repeating: RecordingNode(), count: nodes)
        return SimulatedNetwork(keys: keys, nodes: recorders, conditions: conditions, seed: seed)
    }

    /// Node `from` sends frames 0..<count (each frame's bytes are its number) to node `to`, now.
    static func send(_ network: inout SimulatedNetwork<RecordingNode>, from: Int, to: Int, count: Int) {
        let key = network.keys[to]
        network.perform(on: from) { _, _ in
            (0..<count).map { .send(to: key, bytes: [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
        }
    }

    static func number(_ bytes: [UInt8]) -> Int { Int(bytes[0]) | Int(bytes[1]) << 8 }

    @Test("frames take between the minimum and maximum latency, and overtake one another")
    func latencyAndReordering() {
        let conditions = NetworkConditions()
        var network = Self.network(nodes: 2)
        network.connect(0, 1)
        Self.send(&network, from: 0, to: 1, count: 200)
        network.run(until: second)
        let received = network.nodes[1].received
        #expect(received.count == 200)
        let latencyMax = conditions.latencyMinNanoseconds + conditions.latencyExtraMaxNanoseconds
        #expect(received.allSatisfy { $0.at >= conditions.latencyMinNanoseconds && $0.at <= latencyMax })
        let order = received.map { Self.number($0.bytes) }
        #expect(order != order.sorted(), "per-frame latency reorders frames")
        #expect(Set(order) == Set(0..<200))
    }

    @Test("frames are lost at about the configured rate, and every frame is accounted for")
    func loss() {
        var network = Self.network(nodes: 2, loss: 0.10)
        network.connect(0, 1)
        Self.send(&network, from: 0, to: 1, count: 2000)
        network.run(until: second)
        let stats = network.stats
        #expect(stats.framesSent == 2000)
        #expect(stats.framesLost + stats.framesDelivered == 2000)
        #expect(network.nodes[1].received.count == stats.framesDelivered)
        #expect((140...260).contains(stats.framesLost), "lost \(stats.framesLost) of 2000 at 10%")
    }

    @Test("a partition drops frames between groups, in flight too, but not within them, until healed")
    func partitionAndHeal() {
        var network = Self.network(nodes: 4)
        for a in 0..<4 { for b in (a + 1)..<4 { network.connect(a, b) } }
        Self.send(&network, from: 0, to: 2, count: 5)
        network.partition([[0, 1], [2, 3]])
        Self.send(&network, from: 0, to: 1, count: 5)
        Self.send(&network, from: 3, to: 0, count: 5)
        network.run(until: second)
        #expect(network.nodes[1].received.count == 5)
        #expect(network.nodes[2].received.isEmpty && network.nodes[0].received.isEmpty)
        #expect(network.stats.framesPartitioned == 10)
        #expect(!network.canReach(0, 3) && network.canReach(2, 3))

        network.heal()
        Self.send(&network, from: 3, to: 0, count: 5)
        network.run(until: 2 * second)
        #expect(network.nodes[0].received.count == 5)
    }

    @Test("every node ticks once per interval, each with its own phase")
    func ticks() {
        let interval = NetworkConditions().tickIntervalNanoseconds
        var network = Self.network(nodes: 5)
        network.run(until: 5 * interval + interval / 2)
        for node in network.nodes {
            #expect((5...6).contains(node.ticks.count))
            #expect(node.ticks[0] < interval)
            #expect(zip(node.ticks, node.ticks.dropFirst()).allSatisfy { $1 - $0 == interval })
        }
        #expect(Set(network.nodes.map { $0.ticks[0] }).count > 1)
    }

    @Test("connecting at random gives each node k outbound links, seen as inbound by the other end")
    func randomTopology() {
        var network = Self.network(nodes: 20)
        network.connectRandomly(outboundPerNode: 3)
        for (index, node) in network.nodes.enumerated() {
            #expect(node.outboundLinks.count == 3)
            #expect(network.linkCount(index) == node.outboundLinks.count + node.inboundLinks.count)
            #expect(!node.outboundLinks.contains(network.keys[index]))
        }
        let inbound = network.nodes.reduce(0) { $0 + $1.inboundLinks.count }
        #expect(inbound == 60)
    }

    @Test("a disconnect command takes the link down at both ends; frames over it are dropped")
    func disconnect() {
        var network = Self.network(nodes: 2)
        network.connect(0, 1)
        Self.send(&network, from: 0, to: 1, count: 3)
        let key = network.keys[1]
        network.perform(on: 0) { _, _ in [.disconnect(key)] }
        network.run(until: second)
        #expect(!network.isLinked(0, 1))
        #expect(network.nodes[0].linksDown == [network.keys[1]] && network.nodes[1].linksDown == [network.keys[0]])
        #expect(network.nodes[1].received.isEmpty)
        #expect(network.stats.framesUnlinked == 3 && network.stats.disconnects == 1)
    }

    @Test("the same seed replays the same trace; another seed gives another")
    func replay() {
        func trace(seed: UInt64) -> [[RecordingNode.Reception]] {
            var network = Self.network(nodes: 6, loss: 0.2, seed: seed)
            network.connectRandomly(outboundPerNode: 2)
            for from in 0..<6 {
                let targets = (0..<6).filter { network.isLinked(from, $0) }.map { network.keys[$0] }
                network.schedule(at: UInt64(from) * 1_000_000, on: from) { _, _ in
                    targets.flatMap { key in
                        (0..<20).map { _ in NetworkCommand.send(to: key, bytes: [UInt8(from), 0]) }
                    }
                }
            }
            network.run(until: second)
            return network.nodes.map(\.received)
        }
        #expect(trace(seed: 7) == trace(seed: 7))
        #expect(trace(seed: 7) != trace(seed: 8))
    }
}
