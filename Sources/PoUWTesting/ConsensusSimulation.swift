import PoUWConsensus
public import PoUWCore

/// The outcome of one `ConsensusSimulation` run.
public struct ConsensusSimulationResult: Sendable {
    public let seed: UInt64
    public let kind: ConsensusScenario.Kind
    /// The highest committed height of each node instance (validators first, then twins).
    public let committedHeights: [UInt64]
    /// A digest of every commit (node, height, block, time) and the network statistics: equal digests
    /// mean identical runs.
    public let digest: UInt64
    /// Broken safety, validity or liveness, one line each; empty when the run passed.
    public let violations: [String]
    /// Proposal-to-commit latency of every honest commit whose proposal was seen, sorted, in virtual ns.
    public let finalityLatencies: [Nanoseconds]
    /// Equivocations the honest cores recorded.
    public let equivocationsSeen: Int
    public let endNanoseconds: Nanoseconds
    public let stats: NetworkStats
    /// The state of every node at the end (`ConsensusSimNode.stateDescription`).
    public let finalStates: [String]

    public var passed: Bool { violations.isEmpty }

    /// How to replay this run alone.
    public var replayLine: String {
        "seed=\(seed) kind=\(kind.rawValue): replay with POUW_SIM_SEED=\(seed) swift test -c release "
            + "--filter ConsensusSimulationTests"
    }

    /// The latency at `fraction` (0...1) of the sorted latencies; `nil` when there are none.
    public func finalityLatency(percentile fraction: Double) -> Nanoseconds? {
        guard !finalityLatencies.isEmpty else { return nil }
        let index = min(finalityLatencies.count - 1, Int(Double(finalityLatencies.count) * fraction))
        return finalityLatencies[index]
    }
}

/// Runs a consensus cluster of `ConsensusSimNode`s on a `SimulatedNetwork` and checks it:
/// - agreement: no two nodes (honest or twin) committed different blocks at one height, and no node
///   tried to overwrite a committed height;
/// - validity: every committed block was built and proposed by a node for that height, and its
///   certificate passes `ValidatorSet.verifyCommit` and the signature checks;
/// - liveness: every honest node that is up at the end reached `targetHeight` within
///   `livenessBoundNanoseconds` after the last heal or restart.
public enum ConsensusSimulation {
    /// Virtual time between checks of the stop condition.
    static let stepNanoseconds: Nanoseconds = 100 * ConsensusScenario.millisecond

    public static func run(_ scenario: ConsensusScenario) -> ConsensusSimulationResult {
        scenario.check()
        let weights = scenario.validatorWeights
        let validatorKeys = (0..<scenario.nodeCount).map { derivedKey(0x56, $0) }
        let validators = ValidatorSet(zip(validatorKeys, weights).map { Validator(key: $0, weight: $1) })
        let nodes = (0..<scenario.instanceCount).map { index in
            ConsensusSimNode(
                index: index, nodeKey: derivedKey(0x4E, index), validatorKey: validatorKeys[index % scenario.nodeCount],
                validators: validators, timeouts: scenario.timeouts,
                resendIntervalNanoseconds: scenario.resendIntervalNanoseconds)
        }
        var network = SimulatedNetwork(
            keys: nodes.map(\.nodeKey), nodes: nodes, conditions: scenario.conditions, seed: scenario.seed)
        for a in nodes.indices {
            for b in nodes.indices where a < b { network.connect(a, b) }
        }
        for index in nodes.indices {
            network.schedule(at: 0, on: index) { node, now in node.boot(now: now) }
        }
        for crash in scenario.crashes {
            let midBatch = crash.midBatch
            network.schedule(at: crash.atNanoseconds, on: crash.node) { node, _ in
                if midBatch { node.crashAtNextWALWrite() } else { node.crash() }
                return []
            }
            if let restart = crash.restartNanoseconds {
                network.schedule(at: restart, on: crash.node) { node, now in node.restart(now: now) }
            }
        }
        var disruptions: [(time: Nanoseconds, groups: [[Int]]?)] = []
        for partition in scenario.partitions {
            disruptions.append((partition.startNanoseconds, partition.groups))
            disruptions.append((partition.healNanoseconds, nil))
        }
        disruptions.sort { $0.time < $1.time }
        let deadline = scenario.lastDisruptionNanoseconds + scenario.livenessBoundNanoseconds
        var now: Nanoseconds = 0
        while now < deadline {
            let next = min(now + stepNanoseconds, deadline)
            while let first = disruptions.first, first.time <= next {
                network.run(until: first.time)
                if let groups = first.groups { network.partition(groups) } else { network.heal() }
                disruptions.removeFirst()
            }
            network.run(until: next)
            now = next
            if now >= scenario.lastDisruptionNanoseconds && reachedTarget(network.nodes, scenario) { break }
        }
        return summarize(network, scenario: scenario, validators: validators, end: now)
    }

    /// Whether every honest node that is up has committed `targetHeight`.
    static func reachedTarget(_ nodes: [ConsensusSimNode], _ scenario: ConsensusScenario) -> Bool {
        scenario.honestNodes.allSatisfy {
            nodes[$0].isCrashed || nodes[$0].lastCommittedHeight >= scenario.targetHeight
        }
    }

    static func summarize(
        _ network: SimulatedNetwork<ConsensusSimNode>, scenario: ConsensusScenario, validators: ValidatorSet,
        end: Nanoseconds
    ) -> ConsensusSimulationResult {
        let nodes = network.nodes
        var violations = nodes.flatMap(\.violations)
        var committed: [[UInt64: Hash32]] = []
        var built = Set<Hash32>()
        for node in nodes { built.formUnion(node.builtBlocks().map(\.hash)) }
        var proposed: [String: Nanoseconds] = [:]
        for node in nodes {
            for sent in node.proposalsSent {
                let slot = "\(sent.height)/\(sent.round)/\(sent.blockHash)"
                proposed[slot] = min(proposed[slot] ?? .max, sent.atNanoseconds)
            }
        }
        for node in nodes {
            var chain: [UInt64: Hash32] = [:]
            for (height, certificate, block) in node.committedChain() {
                chain[height] = certificate.blockHash
                if let error = validators.verifyCommit(certificate) {
                    violations.append("validity: node \(node.index) height \(height): \(error)")
                }
                if !certificate.precommits.allSatisfy(SimSigner.verify) {
                    violations.append("validity: node \(node.index) height \(height): a precommit has a bad signature")
                }
                if block.hash != certificate.blockHash || block.height != height || !built.contains(block.hash) {
                    violations.append("validity: node \(node.index) height \(height) committed a block nobody built")
                }
            }
            committed.append(chain)
        }
        violations += agreementViolations(committed)
        let honestKeys = Set(scenario.honestNodes.map { nodes[$0].validatorKey })
        for node in nodes {
            for evidence in node.equivocations where honestKeys.contains(evidence.first.voter) {
                let vote = evidence.first
                violations.append("safety: honest validator \(vote.voter) signed two \(vote.kind)s at height "
                    + "\(vote.height) round \(vote.round) (seen by node \(node.index))")
            }
        }
        let honest = scenario.honestNodes
        for index in honest where !nodes[index].isCrashed && nodes[index].lastCommittedHeight < scenario.targetHeight {
            violations.append("liveness: node \(index) reached height \(nodes[index].lastCommittedHeight) of "
                + "\(scenario.targetHeight) by \(end / ConsensusScenario.millisecond) ms")
        }
        var latencies: [Nanoseconds] = []
        var digest = FNV1a()
        for node in nodes {
            for commit in node.commits {
                digest.add("\(node.index):\(commit.height):\(commit.round):\(commit.blockHash):\(commit.atNanoseconds)")
                guard honest.contains(node.index),
                      let sent = proposed["\(commit.height)/\(commit.round)/\(commit.blockHash)"],
                      sent <= commit.atNanoseconds
                else { continue }
                latencies.append(commit.atNanoseconds - sent)
            }
        }
        digest.add("\(network.stats)")
        return ConsensusSimulationResult(
            seed: scenario.seed, kind: scenario.kind, committedHeights: nodes.map(\.lastCommittedHeight),
            digest: digest.value, violations: violations, finalityLatencies: latencies.sorted(),
            equivocationsSeen: honest.reduce(0) { $0 + nodes[$1].equivocations.count }, endNanoseconds: end,
            stats: network.stats, finalStates: nodes.map(\.stateDescription))
    }

    /// The agreement check: one line per height at which two nodes' chains hold different blocks.
    /// `committed[i]` maps height → committed block hash of node i.
    public static func agreementViolations(_ committed: [[UInt64: Hash32]]) -> [String] {
        var first: [UInt64: (node: Int, hash: Hash32)] = [:]
        var violations: [String] = []
        for (node, chain) in committed.enumerated() {
            for height in chain.keys.sorted() {
                let hash = chain[height]!
                if let seen = first[height] {
                    if seen.hash != hash {
                        violations.append("agreement: height \(height): node \(seen.node) committed \(seen.hash), "
                            + "node \(node) committed \(hash)")
                    }
                } else {
                    first[height] = (node, hash)
                }
            }
        }
        return violations
    }

    /// Finality latency: `nodeCount` equal validators, every frame taking `linkLatencyNanoseconds` plus an
    /// exponential jitter of mean `jitterMeanNanoseconds` (capped at 10 means), no loss, default
    /// (production) timeouts, `heights` heights. Latency is proposal broadcast to commit, per node.
    public static func finalityBenchmark(
        nodeCount: Int = 4, linkLatencyNanoseconds: Nanoseconds = 50 * ConsensusScenario.millisecond,
        jitterMeanNanoseconds: Nanoseconds = 0, heights: UInt64 = 200, seed: UInt64 = 1
    ) -> ConsensusSimulationResult {
        var scenario = ConsensusScenario(seed: seed, kind: .randomDelays)
        scenario.nodeCount = nodeCount
        scenario.targetHeight = heights
        scenario.timeouts = ConsensusTimeouts()
        scenario.conditions.latencyMinNanoseconds = linkLatencyNanoseconds
        scenario.conditions.latencyExtraMeanNanoseconds = jitterMeanNanoseconds
        scenario.conditions.latencyExtraMaxNanoseconds = 10 * jitterMeanNanoseconds
        scenario.livenessBoundNanoseconds = heights * 10 * ConsensusScenario.second
        return run(scenario)
    }

    /// A deterministic 32-byte key: `tag`, the index, then filler.
    static func derivedKey(_ tag: UInt8, _ index: Int) -> PublicKey {
        PublicKey(SimHash.digest([tag, UInt8(truncatingIfNeeded: index), UInt8(truncatingIfNeeded: index >> 8)]).bytes)
    }
}
