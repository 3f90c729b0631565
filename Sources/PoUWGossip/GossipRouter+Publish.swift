import PoUWCore

/// Publishing our own messages.
extension GossipRouter {
    mutating func publish(topic: GossipTopic, data: [UInt8], now: Nanoseconds) {
        precondition(
            data.count <= GossipLimits.messageDataBytesMax,
            "a gossip message of \(data.count) bytes is above GossipLimits.messageDataBytesMax"
        )
        advanceClock(to: now)
        let id = MessageID(topic: topic, data: data)
        guard seen.insert(id, now: nowNanoseconds) else { return }
        counters.messagesPublished += 1
        messageCache.put(id, topic: topic, data: data)
        if !subscriptions.contains(topic) {
            fanoutLastPublished[topic] = nowNanoseconds
            refillFanout(topic)
        }
        for peer in publishTargets(topic, dataBytes: data.count) {
            outbox.add(.message(.init(topic: topic, data: data)), to: peer)
        }
    }

    /// Flood publishing: every peer of the topic at or above the publish threshold. For large
    /// messages, or with flood publishing off: the mesh, or the fanout when we are not subscribed.
    private mutating func publishTargets(_ topic: GossipTopic, dataBytes: Int) -> [PublicKey] {
        if config.floodPublish && dataBytes <= config.floodPublishBytesMax {
            let threshold = config.thresholds.publish
            let now = nowNanoseconds
            let parameters = config.score
            return sortedPeers { _, state in
                state.topics.contains(topic) && state.score.value(parameters, now: now) >= threshold
            }
        }
        let targets = subscriptions.contains(topic) ? mesh[topic] : fanout[topic]
        return (targets ?? []).sorted()
    }

    /// Drops fanout peers that left the topic or fell below the publish threshold, then tops the
    /// set up to D with random eligible peers.
    mutating func refillFanout(_ topic: GossipTopic) {
        var members = fanout[topic] ?? []
        for peer in members.sorted()
        where !(peers[peer]?.topics.contains(topic) ?? false) || score(peer) < config.thresholds.publish {
            members.remove(peer)
        }
        if members.count < config.meshDegree {
            let threshold = config.thresholds.publish
            let now = nowNanoseconds
            let parameters = config.score
            var candidates = sortedPeers { peer, state in
                !members.contains(peer) && state.topics.contains(topic)
                    && state.score.value(parameters, now: now) >= threshold
            }
            candidates.shuffle(using: &generator)
            members.formUnion(candidates.prefix(config.meshDegree - members.count))
        }
        fanout[topic] = members
    }
}
