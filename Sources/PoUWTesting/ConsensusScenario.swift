public import PoUWConsensus
public import PoUWCore

/// A seeded consensus cluster run for `ConsensusSimulation`: `nodeCount` validators (node i runs
/// validator i), of which the first `twins` are byzantine twins (a second node instance, index
/// `nodeCount + j`, runs validator j with its own state: the two equivocate), on a `SimulatedNetwork`
/// with the given conditions, partitions and crashes. The run ends when every honest node that is up
/// has committed `targetHeight`, or `livenessBoundNanoseconds` after the last disruption ended.
public struct ConsensusScenario: Sendable {
    /// The scenario families the randomized suites draw from.
    public enum Kind: String, Sendable, CaseIterable {
        case randomDelays, partitionHeal, crashRestart, twins
    }

    /// Cuts frames between groups of node indices from `startNanoseconds` until `healNanoseconds`.
    public struct Partition: Sendable {
        public var groups: [[Int]]
        public var startNanoseconds: Nanoseconds
        public var healNanoseconds: Nanoseconds

        public init(groups: [[Int]], startNanoseconds: Nanoseconds, healNanoseconds: Nanoseconds) {
            precondition(startNanoseconds <= healNanoseconds)
            self.groups = groups
            self.startNanoseconds = startNanoseconds
            self.healNanoseconds = healNanoseconds
        }
    }

    /// Crashes node `node` at `atNanoseconds` and restarts it at `restartNanoseconds` (never when `nil`).
    /// With `midBatch`, the crash waits for the node's next WAL write after `atNanoseconds` and cuts the
    /// batch of actions there (the restart then crashes the node first if no write came).
    public struct Crash: Sendable {
        public var node: Int
        public var atNanoseconds: Nanoseconds
        public var restartNanoseconds: Nanoseconds?
        public var midBatch: Bool

        public init(
            node: Int, atNanoseconds: Nanoseconds, restartNanoseconds: Nanoseconds?, midBatch: Bool = false
        ) {
            precondition(restartNanoseconds.map { $0 >= atNanoseconds } ?? true)
            self.node = node
            self.atNanoseconds = atNanoseconds
            self.restartNanoseconds = restartNanoseconds
            self.midBatch = midBatch
        }
    }

    public static let millisecond: Nanoseconds = 1_000_000
    public static let second: Nanoseconds = 1_000_000_000

    /// Timeouts scaled to the simulator's tens-of-milliseconds links.
    public static let simulationTimeouts = ConsensusTimeouts(
        proposeBase: 300 * millisecond, proposeDelta: 100 * millisecond,
        prevoteBase: 150 * millisecond, prevoteDelta: 50 * millisecond,
        precommitBase: 150 * millisecond, precommitDelta: 50 * millisecond)

    public var seed: UInt64
    public var kind: Kind
    public var nodeCount = 4
    public var twins = 0
    /// Validator weights by validator index; all 1 when empty.
    public var weights: [UInt64] = []
    public var conditions: NetworkConditions
    public var partitions: [Partition] = []
    public var crashes: [Crash] = []
    public var targetHeight: UInt64 = 10
    public var timeouts = ConsensusScenario.simulationTimeouts
    /// How often nodes re-send their own messages of the current height and their status.
    public var resendIntervalNanoseconds: Nanoseconds = 250 * millisecond
    /// How long after the last disruption every honest node that is up must reach `targetHeight`.
    public var livenessBoundNanoseconds: Nanoseconds = 60 * second

    /// A scenario with default conditions (10 ms ticks, no loss).
    public init(seed: UInt64, kind: Kind = .randomDelays) {
        self.seed = seed
        self.kind = kind
        conditions = NetworkConditions()
        conditions.tickIntervalNanoseconds = 10 * ConsensusScenario.millisecond
    }

    /// The validator weights in force (all 1 when `weights` is empty).
    public var validatorWeights: [UInt64] { weights.isEmpty ? Array(repeating: 1, count: nodeCount) : weights }

    /// Every node instance: the validators, then the twins' second instances.
    public var instanceCount: Int { nodeCount + twins }

    /// The node indices that run honest validators.
    public var honestNodes: [Int] { Array(twins..<nodeCount) }

    /// When the last partition heals or the last crashed node restarts.
    public var lastDisruptionNanoseconds: Nanoseconds {
        let heals = partitions.map(\.healNanoseconds)
        let restarts = crashes.map { $0.restartNanoseconds ?? $0.atNanoseconds }
        return (heals + restarts).max() ?? 0
    }

    /// Checks the scenario can be run and its byzantine weight is below 1/3.
    func check() {
        precondition(nodeCount >= 1 && nodeCount <= ConsensusLimits.validatorsMax)
        precondition(weights.isEmpty || weights.count == nodeCount, "one weight per validator")
        precondition(twins >= 0 && twins < nodeCount)
        let weights = validatorWeights
        let total = weights.reduce(0, +)
        let byzantine = weights.prefix(twins).reduce(0, +)
        precondition(byzantine * 3 < total, "twin weight must stay below 1/3 of the total")
        for crash in crashes { precondition((0..<instanceCount).contains(crash.node)) }
        for partition in partitions {
            for member in partition.groups.joined() { precondition((0..<instanceCount).contains(member)) }
        }
    }

    /// A random scenario of `kind`, a pure function of `seed`: 4 to 7 validators, links of 5-20 ms plus an
    /// exponential extra of 5-60 ms mean, and the kind's disruption.
    public static func random(_ kind: Kind, seed: UInt64, targetHeight: UInt64 = 10) -> ConsensusScenario {
        var generator = SeededGenerator(seed: seed ^ 0x5EED_C0DE_0000_0000)
        var scenario = ConsensusScenario(seed: seed, kind: kind)
        scenario.targetHeight = targetHeight
        scenario.nodeCount = Int.random(in: 4...7, using: &generator)
        scenario.conditions.latencyMinNanoseconds = Nanoseconds.random(in: 5...20, using: &generator) * millisecond
        scenario.conditions.latencyExtraMeanNanoseconds =
            Nanoseconds.random(in: 5...60, using: &generator) * millisecond
        scenario.conditions.latencyExtraMaxNanoseconds = 400 * millisecond
        if Bool.random(using: &generator) {
            scenario.weights = (0..<scenario.nodeCount).map { _ in UInt64.random(in: 1...4, using: &generator) }
        }
        let n = scenario.nodeCount
        func time(_ range: ClosedRange<Nanoseconds>) -> Nanoseconds {
            Nanoseconds.random(in: range, using: &generator)
        }
        switch kind {
        case .randomDelays:
            scenario.conditions.lossProbability = Double.random(in: 0..<0.15, using: &generator)
        case .partitionHeal:
            scenario.conditions.lossProbability = Double.random(in: 0..<0.05, using: &generator)
            var order = Array(0..<n)
            order.shuffle(using: &generator)
            let cut = Int.random(in: 1...(n / 2), using: &generator)
            let start = time(200 * millisecond...2 * second)
            let heal = start + time(500 * millisecond...5 * second)
            scenario.partitions = [Partition(groups: [Array(order.prefix(cut)), Array(order.dropFirst(cut))],
                                             startNanoseconds: start, healNanoseconds: heal)]
            if Bool.random(using: &generator) {
                order.shuffle(using: &generator)
                let second = heal + time(200 * millisecond...2 * second)
                scenario.partitions.append(Partition(
                    groups: [Array(order.prefix(n / 2)), Array(order.dropFirst(n / 2))],
                    startNanoseconds: second, healNanoseconds: second + time(500 * millisecond...3 * second)))
            }
        case .crashRestart:
            scenario.conditions.lossProbability = Double.random(in: 0..<0.05, using: &generator)
            var order = Array(0..<n)
            order.shuffle(using: &generator)
            for node in order.prefix(Int.random(in: 1...2, using: &generator)) {
                let at = time(100 * millisecond...3 * second)
                scenario.crashes.append(Crash(node: node, atNanoseconds: at,
                                              restartNanoseconds: at + time(10 * millisecond...3 * second),
                                              midBatch: Bool.random(using: &generator)))
            }
            // Sometimes a second crash of the first node after it came back.
            if let first = scenario.crashes.first, let back = first.restartNanoseconds, Bool.random(using: &generator) {
                let at = back + time(50 * millisecond...1 * second)
                scenario.crashes.append(Crash(node: first.node, atNanoseconds: at,
                                              restartNanoseconds: at + time(10 * millisecond...1 * second),
                                              midBatch: Bool.random(using: &generator)))
            }
        case .twins:
            scenario.conditions.lossProbability = Double.random(in: 0..<0.05, using: &generator)
            if scenario.validatorWeights[0] * 3 >= scenario.validatorWeights.reduce(0, +) {
                scenario.weights = []  // keep the first validator, the twin, below 1/3 of the weight
            }
            let weights = scenario.validatorWeights
            let total = weights.reduce(0, +)
            var twinsMax = 0
            while twinsMax + 1 < n && weights.prefix(twinsMax + 1).reduce(0, +) * 3 < total { twinsMax += 1 }
            scenario.twins = Int.random(in: 1...twinsMax, using: &generator)
        }
        return scenario
    }
}
