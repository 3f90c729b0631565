public import PoUWCore

/// How a peer's score is computed (gossipsub v1.1 §"Peer Scoring"). Implemented components:
/// P1 time in mesh, P2 first message deliveries, P4 invalid messages (squared), P7 behaviour
/// penalty (squared above a threshold), plus a topic-less penalty for malformed RPCs that weighs like
/// P4. P3 (mesh delivery deficit), P5 (application) and P6 (IP colocation) are not implemented.
/// Counters decay once per heartbeat; a counter that decays below `decayToZero` becomes 0.
public struct PeerScoreParameters: Sendable {
    /// Every topic's weight in the score (all topics share the parameters below).
    public var topicWeight = 1.0
    /// P1 weight per quantum of time in our mesh.
    public var timeInMeshWeight = 1.0 / 30
    /// P1 quantum.
    public var timeInMeshQuantumNanoseconds: Nanoseconds = GossipConfig.second
    /// P1 is counted up to this many quanta.
    public var timeInMeshCap = 300.0
    /// P2 weight per first delivery of a message that validated.
    public var firstMessageDeliveriesWeight = 1.0
    /// P2 decay per heartbeat.
    public var firstMessageDeliveriesDecay = 0.9
    /// P2 counter cap.
    public var firstMessageDeliveriesCap = 20.0
    /// P4 weight, applied to the square of the invalid-message counter.
    public var invalidMessageDeliveriesWeight = -10.0
    /// P4 decay per heartbeat.
    public var invalidMessageDeliveriesDecay = 0.99
    /// The sum of the topic scores is capped here (negative contributions are never capped).
    public var topicScoreCap = 50.0
    /// Weight of the square of the malformed-RPC counter.
    public var malformedRPCWeight = -10.0
    /// Malformed-RPC counter decay per heartbeat.
    public var malformedRPCDecay = 0.99
    /// P7 weight, applied to the square of the behaviour counter's excess over the threshold.
    public var behaviourPenaltyWeight = -10.0
    /// P7 counts only above this many penalties.
    public var behaviourPenaltyThreshold = 6.0
    /// P7 decay per heartbeat.
    public var behaviourPenaltyDecay = 0.99
    /// A decayed counter below this becomes 0.
    public var decayToZero = 0.01
    /// How long the score of a disconnected peer is kept, so reconnecting does not clear it.
    public var retainScoreNanoseconds: Nanoseconds = 600 * GossipConfig.second

    public init() {}

    func check() {
        precondition(topicWeight >= 0 && timeInMeshWeight >= 0 && firstMessageDeliveriesWeight >= 0,
                     "P1 and P2 are rewards: their weights are non-negative")
        precondition(invalidMessageDeliveriesWeight <= 0 && malformedRPCWeight <= 0 && behaviourPenaltyWeight <= 0,
                     "P4, malformed RPCs and P7 are penalties: their weights are non-positive")
        let decays = [
            firstMessageDeliveriesDecay, invalidMessageDeliveriesDecay, malformedRPCDecay, behaviourPenaltyDecay,
        ]
        for decay in decays {
            precondition(decay > 0 && decay < 1, "decays are factors in (0, 1)")
        }
        precondition(timeInMeshQuantumNanoseconds > 0 && timeInMeshCap >= 0 && firstMessageDeliveriesCap >= 0)
        precondition(topicScoreCap >= 0 && behaviourPenaltyThreshold >= 0 && decayToZero > 0 && decayToZero < 1)
    }
}

/// What a peer's score allows (gossipsub v1.1 thresholds, plus a ban): a score below 0 is pruned
/// from meshes and not grafted; below `gossip` its IHAVE/IWANT are ignored and it gets no gossip;
/// below `publish` it gets none of our own messages; below `graylist` everything it sends is ignored
/// (and each ignored RPC adds a behaviour penalty); below `ban` it is disconnected and refused for
/// `GossipConfig.banDurationNanoseconds`.
public struct PeerScoreThresholds: Sendable {
    public var gossip = -100.0
    public var publish = -200.0
    public var graylist = -400.0
    public var ban = -1000.0
    /// Peer exchange lists are followed only from peers scoring at least this.
    public var acceptPeerExchange = 10.0

    public init() {}

    func check() {
        precondition(0 >= gossip && gossip >= publish && publish >= graylist && graylist >= ban,
                     "need 0 >= gossip >= publish >= graylist >= ban")
        precondition(acceptPeerExchange >= 0)
    }
}
