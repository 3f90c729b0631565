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
        guard let value = UInt64(digits, radix: 16) else { preconditionFailure("POUW_SIM_SEED must be hex, got \(text)") }
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
