import Foundation
import PoUWCore
import PoUWGossip
import PoUWTesting
import Testing

/// Seeded 50-node networks: every message reaches every node under loss, a healed partition
/// delivers again, and a seed replays exactly. Set POUW_SIM_SEED to replay a printed seed.
@Suite struct GossipSimulationTests {
    static let defaultSeed: UInt64 = 0x5EED_0000_6055_1900

    static var seed: UInt64 {
        guard let text = ProcessInfo.processInfo.environment["POUW_SIM_SEED"] else { return defaultSeed }
        let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
        guard let value = UInt64(digits, radix: 16) else {
            preconditionFailure("POUW_SIM_SEED must be hex, got \(text)")
        }
        return value
    }

    @Test("1,000 messages from random nodes reach all 50 nodes under 10% frame loss")
    func everyMessageReachesEveryNodeUnderLoss() {
        var parameters = GossipSimulationParameters(seed: Self.seed)
        parameters.conditions.lossProbability = 0.10
        var simulation = GossipSimulation(parameters)
        simulation.run()
        let summary = simulation.summary()
        print("gossip simulation, 10% loss: \(summary)")
        #expect(summary.messages == 1000 && summary.nodes == 50)
        #expect(summary.missingDeliveries == 0, "seed 0x\(String(Self.seed, radix: 16)) replays this run: \(summary)")
        #expect(summary.network.framesLost > 0, "the run must actually lose frames")
    }
}

extension GossipSimulationTests {
    @Test("after a partition heals, messages reach every node again; during it, nearly all of the publisher's half")
    func partitionHeals() {
        var parameters = GossipSimulationParameters(seed: Self.seed ^ 0x9A27)
        parameters.messageCount = 600
        parameters.conditions.lossProbability = 0.10
        let start = 10 * second
        let heal = 16 * second
        parameters.partition = .init(startNanoseconds: start, healNanoseconds: heal)
        var simulation = GossipSimulation(parameters)
        simulation.run()
        let seedText = "seed 0x\(String(parameters.seed, radix: 16))"
        let halves = simulation.partitionHalves.map(Set.init)

        let before = simulation.publications.filter { $0.atNanoseconds + 4 * second < start }
        let during = simulation.publications.filter { $0.atNanoseconds >= start && $0.atNanoseconds < heal }
        let after = simulation.publications.filter { $0.atNanoseconds >= heal + 2 * second }
        #expect(!before.isEmpty && !during.isEmpty && !after.isEmpty)
        for publication in before + after {
            #expect(simulation.nodesMissing(publication).isEmpty, "\(seedText): \(publication) missed")
        }
        // Links stay up across the cut, so a node with few links inside its half can miss a message
        // there: the half is a sparse random graph. Nearly every in-half delivery must still happen.
        var crossed = 0
        var missedInside = 0
        for publication in during {
            let ownHalf = halves.first { $0.contains(publication.origin) }!
            let missing = Set(simulation.nodesMissing(publication))
            missedInside += missing.intersection(ownHalf).count
            crossed += parameters.nodeCount / 2 - missing.subtracting(ownHalf).count
        }
        let insideExpected = during.count * (parameters.nodeCount / 2 - 1)
        #expect(Double(missedInside) <= 0.01 * Double(insideExpected), "\(seedText): \(missedInside) missed inside")
        #expect(crossed < during.count * parameters.nodeCount / 2, "\(seedText): the partition must have cut something")
        print("gossip simulation, partition healed: after heal \(simulation.summary(of: after)); during the partition "
            + "\(insideExpected - missedInside)/\(insideExpected) in-half deliveries, \(crossed) cross-half deliveries "
            + "(after the heal, through gossip) of \(during.count) messages")
    }

    @Test("two runs with the same seed give identical stats; another seed gives different ones")
    func sameSeedReplays() {
        func summary(_ seed: UInt64) -> GossipSimulationSummary {
            var parameters = GossipSimulationParameters(seed: seed)
            parameters.nodeCount = 30
            parameters.messageCount = 300
            parameters.publishWindowNanoseconds = 10 * second
            parameters.drainNanoseconds = 5 * second
            parameters.conditions.lossProbability = 0.05
            var simulation = GossipSimulation(parameters)
            simulation.run()
            return simulation.summary()
        }
        let first = summary(Self.seed)
        let replayed = summary(Self.seed)
        print("gossip simulation, replay: \(first)")
        #expect(first == replayed, "seed 0x\(String(Self.seed, radix: 16)) did not replay: \(first) vs \(replayed)")
        #expect(summary(Self.seed &+ 1).digest != first.digest)
    }
}
