import Foundation
public import PoUWCore
public import PoUWGossip

/// A seeded gossip run: `nodeCount` `GossipNode`s subscribed to every topic, each dialling
/// `outboundPerNode` random others; after `settleNanoseconds` (meshes form), `messageCount` messages
/// are published from random nodes on random topics at random times within `publishWindowNanoseconds`;
/// then the network drains for `drainNanoseconds`. An optional partition splits the nodes into two
/// halves between two times.
public struct GossipSimulationParameters: Sendable {
    /// A partition into two halves (by node index) from `startNanoseconds` until `healNanoseconds`.
    public struct Partition: Sendable {
        public var startNanoseconds: Nanoseconds
        public var healNanoseconds: Nanoseconds

        public init(startNanoseconds: Nanoseconds, healNanoseconds: Nanoseconds) {
            precondition(startNanoseconds <= healNanoseconds)
            self.startNanoseconds = startNanoseconds
            self.healNanoseconds = healNanoseconds
        }
    }

    public var seed: UInt64
    public var nodeCount = 50
    public var outboundPerNode = 6
    public var messageCount = 1000
    public var messageBytesMin = 16
    public var messageBytesMax = 256
    public var settleNanoseconds: Nanoseconds = 3 * GossipConfig.second
    public var publishWindowNanoseconds: Nanoseconds = 20 * GossipConfig.second
    public var drainNanoseconds: Nanoseconds = 10 * GossipConfig.second
    public var conditions = NetworkConditions()
    /// The routers' configuration. Subscriptions are refreshed every 5 s: the simulated network
    /// loses frames that TCP would have retransmitted, announcements included.
    public var config = GossipConfig()
    public var partition: Partition?

    public init(seed: UInt64) {
        self.seed = seed
        config.subscriptionRefreshIntervalNanoseconds = 5 * GossipConfig.second
    }

    /// When the run ends.
    public var endNanoseconds: Nanoseconds { settleNanoseconds + publishWindowNanoseconds + drainNanoseconds }
}

/// One published message of a simulation.
public struct Publication: Sendable, Equatable {
    public let id: MessageID
    public let topic: GossipTopic
    public let origin: Int
    public let atNanoseconds: Nanoseconds
}

/// Runs a `GossipSimulationParameters` scenario and summarises it.
public struct GossipSimulation {
    public let parameters: GossipSimulationParameters
    public private(set) var network: SimulatedNetwork<GossipNode>
    public private(set) var publications: [Publication] = []
    private var partitionPhase = PartitionPhase.before

    private enum PartitionPhase { case before, split, healed }

    /// Builds the nodes, links them and schedules the publications. Nothing runs until `run()`.
    public init(_ parameters: GossipSimulationParameters) {
        precondition(parameters.nodeCount >= 2 && parameters.messageBytesMin >= 8)
        precondition(parameters.messageBytesMin <= parameters.messageBytesMax)
        precondition(parameters.messageBytesMax <= GossipLimits.messageDataBytesMax)
        self.parameters = parameters
        var generator = SeededGenerator(seed: parameters.seed)
        let keys = (0..<parameters.nodeCount).map { _ in
            PublicKey((0..<PublicKey.byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let nodes = keys.map { key in
            GossipNode(key: key, config: parameters.config, seed: generator.next())
        }
        network = SimulatedNetwork(keys: keys, nodes: nodes, conditions: parameters.conditions, seed: generator.next())
        network.connectRandomly(outboundPerNode: parameters.outboundPerNode)
        schedulePublications(using: &generator)
    }

    private mutating func schedulePublications(using generator: inout SeededGenerator) {
        for index in 0..<parameters.messageCount {
            let origin = Int.random(in: 0..<parameters.nodeCount, using: &generator)
            let topic = GossipTopic.allCases.randomElement(using: &generator)!
            let size = Int.random(in: parameters.messageBytesMin...parameters.messageBytesMax, using: &generator)
            // The index up front keeps every message distinct; the rest is random filler.
            var data = withUnsafeBytes(of: UInt64(index).littleEndian, Array.init)
            data += (8..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let at = parameters.settleNanoseconds
                + Nanoseconds.random(in: 0..<parameters.publishWindowNanoseconds, using: &generator)
            let id = MessageID(topic: topic, data: data)
            publications.append(Publication(id: id, topic: topic, origin: origin, atNanoseconds: at))
            network.schedule(at: at, on: origin) { node, now in node.publish(topic, data, now: now) }
        }
    }

    /// The node indices of each half of the partition.
    public var partitionHalves: [[Int]] {
        let half = parameters.nodeCount / 2
        return [Array(0..<half), Array(half..<parameters.nodeCount)]
    }

    /// Runs to `parameters.endNanoseconds`.
    public mutating func run() { run(until: parameters.endNanoseconds) }

    /// Runs to `end`, applying the partition and its heal on time.
    public mutating func run(until end: Nanoseconds) {
        if let partition = parameters.partition {
            if partitionPhase == .before && end >= partition.startNanoseconds {
                network.run(until: partition.startNanoseconds)
                network.partition(partitionHalves)
                partitionPhase = .split
            }
            if partitionPhase == .split && end >= partition.healNanoseconds {
                network.run(until: partition.healNanoseconds)
                network.heal()
                partitionPhase = .healed
            }
        }
        network.run(until: end)
    }

    /// The nodes other than the origin that never delivered `publication`.
    public func nodesMissing(_ publication: Publication) -> [Int] {
        network.nodes.indices.filter { $0 != publication.origin && network.nodes[$0].deliveries[publication.id] == nil }
    }

    /// Statistics over `selected` publications (all by default).
    public func summary(of selected: [Publication]? = nil) -> GossipSimulationSummary {
        let chosen = selected ?? publications
        var latencies: [Nanoseconds] = []
        var missing = 0
        var digest = FNV1a()
        for (index, publication) in chosen.enumerated() {
            for (nodeIndex, node) in network.nodes.enumerated() where nodeIndex != publication.origin {
                guard let deliveredAt = node.deliveries[publication.id] else {
                    missing += 1
                    continue
                }
                latencies.append(deliveredAt - publication.atNanoseconds)
                digest.add("\(index):\(nodeIndex):\(deliveredAt)")
            }
        }
        let duplicates = network.nodes.reduce(0) { $0 + $1.router.counters.duplicateMessages }
        for node in network.nodes { digest.add("\(node.router.counters)") }
        digest.add("\(network.stats)")
        latencies.sort()
        return GossipSimulationSummary(
            seed: parameters.seed, nodes: parameters.nodeCount, messages: chosen.count,
            expectedDeliveries: chosen.count * (parameters.nodeCount - 1), missingDeliveries: missing,
            duplicatesPerMessagePerNode: Double(duplicates) / Double(max(1, publications.count * parameters.nodeCount)),
            latencyP50Milliseconds: Self.percentileMilliseconds(latencies, 0.50),
            latencyP99Milliseconds: Self.percentileMilliseconds(latencies, 0.99),
            latencyMaxMilliseconds: Self.percentileMilliseconds(latencies, 1.0),
            network: network.stats, digest: digest.value
        )
    }

    /// The nearest-rank percentile of sorted nanosecond values, in milliseconds (0 when empty).
    static func percentileMilliseconds(_ sorted: [Nanoseconds], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return Double(sorted[min(max(rank, 1), sorted.count) - 1]) / 1_000_000
    }
}

/// What a simulation achieved. Equal summaries mean equal runs: `digest` covers every delivery time,
/// every router's counters and the network's.
public struct GossipSimulationSummary: Sendable, Equatable, CustomStringConvertible {
    public let seed: UInt64
    public let nodes: Int
    public let messages: Int
    /// Deliveries that should have happened: each message at every node but its origin.
    public let expectedDeliveries: Int
    public let missingDeliveries: Int
    /// Duplicate receptions over the whole run, per published message per node.
    public let duplicatesPerMessagePerNode: Double
    public let latencyP50Milliseconds: Double
    public let latencyP99Milliseconds: Double
    public let latencyMaxMilliseconds: Double
    public let network: NetworkStats
    public let digest: UInt64

    public var description: String {
        func fixed(_ value: Double) -> String { String(format: "%.1f", value) }
        return "seed=0x\(String(seed, radix: 16)) nodes=\(nodes) messages=\(messages) "
            + "delivered=\(expectedDeliveries - missingDeliveries)/\(expectedDeliveries) "
            + "duplicates/message/node=\(fixed(duplicatesPerMessagePerNode)) "
            + "latency p50=\(fixed(latencyP50Milliseconds))ms p99=\(fixed(latencyP99Milliseconds))ms "
            + "max=\(fixed(latencyMaxMilliseconds))ms frames sent=\(network.framesSent) lost=\(network.framesLost) "
            + "partitioned=\(network.framesPartitioned) bytes=\(network.bytesSent) digest=\(String(digest, radix: 16))"
    }
}

/// 64-bit FNV-1a, for run digests (not cryptographic).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        value ^= 0xff
        value = value &* 0x0000_0100_0000_01b3
    }
}
