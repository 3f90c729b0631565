import PoUWCore

/// The score counters of one peer (see `PeerScoreParameters` for what they mean and weigh).
struct PeerScore: Sendable {
    /// Per-topic counters, indexed by `GossipTopic.index`.
    struct TopicCounters: Sendable {
        /// When the peer joined our mesh for the topic; `nil` while it is not in it.
        var meshSince: Nanoseconds?
        var firstDeliveries = 0.0
        var invalidDeliveries = 0.0
    }

    var topics = [TopicCounters](repeating: TopicCounters(), count: GossipTopic.count)
    var malformedRPCs = 0.0
    var behaviourPenalty = 0.0

    /// The score at `now`.
    func value(_ parameters: PeerScoreParameters, now: Nanoseconds) -> Double {
        var topicSum = 0.0
        for counters in topics {
            var topicScore = 0.0
            if let since = counters.meshSince, now > since {
                let quanta = Double(now - since) / Double(parameters.timeInMeshQuantumNanoseconds)
                topicScore += parameters.timeInMeshWeight * min(quanta, parameters.timeInMeshCap)
            }
            topicScore += parameters.firstMessageDeliveriesWeight * counters.firstDeliveries
            let invalid = counters.invalidDeliveries
            topicScore += parameters.invalidMessageDeliveriesWeight * invalid * invalid
            topicSum += parameters.topicWeight * topicScore
        }
        var score = min(topicSum, parameters.topicScoreCap)
        score += parameters.malformedRPCWeight * malformedRPCs * malformedRPCs
        let excess = behaviourPenalty - parameters.behaviourPenaltyThreshold
        if excess > 0 { score += parameters.behaviourPenaltyWeight * excess * excess }
        return score
    }

    /// One heartbeat of decay.
    mutating func decay(_ parameters: PeerScoreParameters) {
        func decayed(_ counter: Double, _ factor: Double) -> Double {
            let next = counter * factor
            return next < parameters.decayToZero ? 0 : next
        }
        for index in topics.indices {
            topics[index].firstDeliveries = decayed(
                topics[index].firstDeliveries, parameters.firstMessageDeliveriesDecay
            )
            topics[index].invalidDeliveries = decayed(
                topics[index].invalidDeliveries, parameters.invalidMessageDeliveriesDecay
            )
        }
        malformedRPCs = decayed(malformedRPCs, parameters.malformedRPCDecay)
        behaviourPenalty = decayed(behaviourPenalty, parameters.behaviourPenaltyDecay)
    }

    /// Counts one validated first delivery on `topic`, up to the cap.
    mutating func addFirstDelivery(_ topic: GossipTopic, _ parameters: PeerScoreParameters) {
        let next = topics[topic.index].firstDeliveries + 1
        topics[topic.index].firstDeliveries = min(next, parameters.firstMessageDeliveriesCap)
    }

    mutating func addInvalidDelivery(_ topic: GossipTopic) { topics[topic.index].invalidDeliveries += 1 }

    /// Forgets every mesh membership (the peer left, or is being retained while disconnected).
    mutating func leaveAllMeshes() {
        for index in topics.indices { topics[index].meshSince = nil }
    }

    /// True when every counter is 0, so there is nothing worth retaining.
    var isNeutral: Bool {
        malformedRPCs == 0 && behaviourPenalty == 0
            && topics.allSatisfy { $0.firstDeliveries == 0 && $0.invalidDeliveries == 0 }
    }
}
