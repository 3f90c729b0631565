import Foundation
import PoUWConsensus
import PoUWCore
import PoUWTesting
import Testing

/// Seeded cluster runs of `ConsensusSimulation`. A failure prints `seed=<n>` and the line that replays
/// it alone: `POUW_SIM_SEED=<n> swift test -c release --filter ConsensusSimulationTests`. A soak run
/// takes more seeds: `POUW_SIM_SEEDS_PER_KIND=5000`.
@Suite struct ConsensusSimulationTests {
    /// Seeds of kind k are k × 1 000 000 + i, so a seed names its kind.
    static let seedsPerKind: [ConsensusScenario.Kind: Int] = [
        .randomDelays: 200, .partitionHeal: 120, .crashRestart: 120, .twins: 120,
    ]
    static let seedStride: UInt64 = 1_000_000

    static var replaySeed: UInt64? {
        ProcessInfo.processInfo.environment["POUW_SIM_SEED"].flatMap { UInt64($0) }
    }

    static func seeds(of kind: ConsensusScenario.Kind) -> [UInt64] {
        let base = UInt64(ConsensusScenario.Kind.allCases.firstIndex(of: kind)!) * seedStride
        if let replay = replaySeed { return replay / seedStride == base / seedStride ? [replay] : [] }
        let count = ProcessInfo.processInfo.environment["POUW_SIM_SEEDS_PER_KIND"].flatMap { UInt64($0) }
            ?? UInt64(seedsPerKind[kind]!)
        return (0..<count).map { base + $0 }
    }

    /// Runs every seed of `kind`; returns the equivocations the honest nodes saw in all runs.
    @discardableResult
    static func runAll(_ kind: ConsensusScenario.Kind) -> Int {
        var equivocations = 0
        for seed in seeds(of: kind) {
            let result = ConsensusSimulation.run(ConsensusScenario.random(kind, seed: seed))
            equivocations += result.equivocationsSeen
            if !result.passed {
                print(result.replayLine)
                for violation in result.violations.prefix(10) { print("  \(violation)") }
                for state in result.finalStates { print("  \(state)") }
            }
            #expect(result.passed, "\(result.replayLine): \(result.violations.prefix(3))")
        }
        return equivocations
    }

    @Test func randomDelaysAndLoss() { Self.runAll(.randomDelays) }
    @Test func partitionsHeal() { Self.runAll(.partitionHeal) }
    @Test func crashesAndRestarts() { Self.runAll(.crashRestart) }
    /// Twins really equivocate (their two instances propose and vote independently), and the honest
    /// nodes see it, yet agree and progress.
    @Test func byzantineTwins() {
        let equivocations = Self.runAll(.twins)
        #expect(Self.replaySeed != nil || equivocations > 0)
    }
}

@Suite struct ConsensusSimulationCheckTests {
    /// The same seed gives the same run, commit for commit and frame for frame; another seed does not.
    @Test(arguments: ConsensusScenario.Kind.allCases)
    func sameSeedSameDigest(kind: ConsensusScenario.Kind) {
        let first = ConsensusSimulation.run(ConsensusScenario.random(kind, seed: 42))
        let second = ConsensusSimulation.run(ConsensusScenario.random(kind, seed: 42))
        let other = ConsensusSimulation.run(ConsensusScenario.random(kind, seed: 43))
        #expect(first.digest == second.digest && first.committedHeights == second.committedHeights)
        #expect(first.digest != other.digest)
        #expect(first.passed, "\(first.replayLine): \(first.violations.prefix(5)) \(first.finalStates)")
    }

    /// The agreement checker flags two different blocks at one height (fabricated: the consensus never
    /// produces one), and passes chains that agree or are merely shorter.
    @Test func agreementCheckerCatchesDisagreement() {
        let a = Hash32([UInt8](repeating: 1, count: 32))
        let b = Hash32([UInt8](repeating: 2, count: 32))
        #expect(ConsensusSimulation.agreementViolations([[1: a, 2: b], [1: a], [1: a, 2: b]]).isEmpty)
        let forked = ConsensusSimulation.agreementViolations([[1: a, 2: a], [1: a], [1: a, 2: b]])
        #expect(forked.count == 1 && forked[0].hasPrefix("agreement: height 2"))
    }

    /// A run that cannot reach its target within the bound reports a liveness violation (half the
    /// validators down for good: no quorum).
    @Test func livenessCheckerCatchesAStall() {
        var scenario = ConsensusScenario(seed: 5)
        scenario.crashes = [.init(node: 0, atNanoseconds: 0, restartNanoseconds: nil),
                            .init(node: 1, atNanoseconds: 0, restartNanoseconds: nil)]
        scenario.livenessBoundNanoseconds = 5 * ConsensusScenario.second
        let result = ConsensusSimulation.run(scenario)
        #expect(!result.passed && result.violations.allSatisfy { $0.hasPrefix("liveness") })
        #expect(result.committedHeights.allSatisfy { $0 == 0 })
    }

    /// Finality latency of 4 equal validators with 50 ms links, fixed and with 10 ms mean exponential
    /// jitter (printed for docs/benchmarks.md).
    @Test(arguments: [UInt64(0), 10_000_000])
    func finalityLatencyWithFiftyMillisecondLinks(jitter: Nanoseconds) throws {
        let result = ConsensusSimulation.finalityBenchmark(
            nodeCount: 4, linkLatencyNanoseconds: 50_000_000, jitterMeanNanoseconds: jitter, heights: 200)
        #expect(result.passed)
        let p50 = try #require(result.finalityLatency(percentile: 0.5))
        let p99 = try #require(result.finalityLatency(percentile: 0.99))
        let ms = { (value: Nanoseconds) in Double(value) / 1e6 }
        print("consensus finality, 4 validators, 50 ms links + \(ms(jitter)) ms mean jitter, "
            + "\(result.finalityLatencies.count) commits: p50=\(ms(p50)) ms p99=\(ms(p99)) ms, "
            + "\(result.committedHeights.min() ?? 0) heights in \(ms(result.endNanoseconds)) ms virtual, "
            + "digest \(String(result.digest, radix: 16))")
        #expect(p50 >= 150_000_000)  // at least three one-way hops: proposal, prevote, precommit
    }
}
