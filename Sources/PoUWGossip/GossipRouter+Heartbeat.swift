import PoUWCore

/// The heartbeat: expiry and score decay, mesh and fanout maintenance, IHAVE gossip, cache shift.
extension GossipRouter {
    mutating func heartbeat(now: Nanoseconds) {
        advanceClock(to: now)
        expireState()
        penaliseBrokenPromises()
        decayScores()
        for peer in peers.keys.sorted() { reviewStanding(peer) }
        for topic in GossipTopic.allCases where subscriptions.contains(topic) { maintainMesh(topic) }
        maintainFanout()
        refreshSubscriptions()
        emitGossip()
        messageCache.shift()
        for peer in peers.keys { peers[peer]?.resetHeartbeatAllowances() }
    }

    private mutating func expireState() {
        let now = nowNanoseconds
        seen.expire(now: now)
        backoffs.expire(now: now, slack: config.backoffSlackNanoseconds)
        bans = bans.filter { $0.value > now }
        retainedScores = retainedScores.filter { $0.value.expiry > now }
        let timeout = config.validationTimeoutNanoseconds
        for (id, waiting) in pending where waiting.receivedAt.saturatingAdding(timeout) <= now {
            pending.removeValue(forKey: id)
            counters.messagesIgnored += 1
        }
    }

    private mutating func penaliseBrokenPromises() {
        let broken = promises.takeBroken(now: nowNanoseconds)
        for (peer, count) in broken.sorted(by: { $0.key < $1.key }) where peers[peer] != nil {
            counters.brokenPromises += count
            peers[peer]?.score.behaviourPenalty += Double(count)
        }
    }

    private mutating func decayScores() {
        let parameters = config.score
        for peer in peers.keys { peers[peer]?.score.decay(parameters) }
        for peer in retainedScores.keys { retainedScores[peer]?.score.decay(parameters) }
    }

    // MARK: Mesh

    /// Prunes negative scores; grafts up to D below D_lo; prunes down to D above D_hi (keeping the
    /// D_score best and D_out outbound); tops up outbound peers below D_out.
    private mutating func maintainMesh(_ topic: GossipTopic) {
        for peer in (mesh[topic] ?? []).sorted() where score(peer) < 0 {
            sendPrune(peer, topic, backoff: config.pruneBackoffNanoseconds, peerExchange: false)
        }
        let members = mesh[topic] ?? []
        if members.count < config.meshDegreeLow {
            let candidates = graftCandidates(topic, excluding: members, outboundOnly: false)
            for peer in candidates.prefix(config.meshDegree - members.count) { graft(peer, topic) }
        } else if members.count > config.meshDegreeHigh {
            let keep = survivorsOfPrune(topic, members)
            for peer in members.sorted() where !keep.contains(peer) {
                sendPrune(peer, topic, backoff: config.pruneBackoffNanoseconds, peerExchange: true)
            }
        }
        let current = mesh[topic] ?? []
        let outboundCount = current.filter { peers[$0]?.outbound ?? false }.count
        if current.count >= config.meshDegreeLow && outboundCount < config.meshOutboundMin {
            let candidates = graftCandidates(topic, excluding: current, outboundOnly: true)
            for peer in candidates.prefix(config.meshOutboundMin - outboundCount) { graft(peer, topic) }
        }
    }

    /// The D mesh peers to keep: the D_score best by score, then random ones, with inbound peers
    /// swapped for outbound ones until D_out outbound peers are kept (when there are that many).
    private mutating func survivorsOfPrune(_ topic: GossipTopic, _ members: Set<PublicKey>) -> Set<PublicKey> {
        let shuffled = members.sorted().shuffled(using: &generator)
        let scores = shuffled.map { score($0) }
        let byScore = shuffled.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var keep = byScore.prefix(config.meshDegreeScore).map { shuffled[$0] }
        var rest = byScore.dropFirst(config.meshDegreeScore).map { shuffled[$0] }.shuffled(using: &generator)
        keep += rest.prefix(config.meshDegree - keep.count)
        rest.removeFirst(min(rest.count, config.meshDegree - config.meshDegreeScore))
        let outboundPeers = Set(members.filter { peers[$0]?.outbound ?? false })
        let isOutbound = { (peer: PublicKey) in outboundPeers.contains(peer) }
        var outboundKept = keep.filter(isOutbound).count
        var spareOutbound = rest.filter(isOutbound)
        var slot = keep.count - 1
        while outboundKept < config.meshOutboundMin, !spareOutbound.isEmpty, slot >= config.meshDegreeScore {
            if !isOutbound(keep[slot]) {
                keep[slot] = spareOutbound.removeFirst()
                outboundKept += 1
            }
            slot -= 1
        }
        return Set(keep)
    }

    /// Announces our subscriptions to every peer again, once per refresh interval.
    private mutating func refreshSubscriptions() {
        let interval = config.subscriptionRefreshIntervalNanoseconds
        guard interval > 0, lastSubscriptionRefresh.saturatingAdding(interval) <= nowNanoseconds else { return }
        lastSubscriptionRefresh = nowNanoseconds
        for peer in peers.keys.sorted() {
            for topic in subscriptions.sorted() {
                outbox.add(.subscription(.init(topic: topic, subscribe: true)), to: peer)
            }
        }
    }

    // MARK: Fanout and gossip

    private mutating func maintainFanout() {
        for topic in GossipTopic.allCases where fanout[topic] != nil {
            let last = fanoutLastPublished[topic] ?? 0
            if last.saturatingAdding(config.fanoutTTLNanoseconds) <= nowNanoseconds {
                fanout.removeValue(forKey: topic)
                fanoutLastPublished.removeValue(forKey: topic)
            } else {
                refillFanout(topic)
            }
        }
    }

    /// IHAVE for the recent messages of each mesh or fanout topic, to max(D_lazy, gossipFactor ×
    /// eligible) random peers outside the mesh/fanout that score at least the gossip threshold.
    private mutating func emitGossip() {
        for topic in GossipTopic.allCases where subscriptions.contains(topic) || fanout[topic] != nil {
            let ids = messageCache.gossipIDs(topic)
            guard !ids.isEmpty else { continue }
            let excluded = (mesh[topic] ?? []).union(fanout[topic] ?? [])
            let threshold = config.thresholds.gossip
            let now = nowNanoseconds
            let parameters = config.score
            var candidates = sortedPeers { peer, state in
                !excluded.contains(peer) && state.topics.contains(topic)
                    && state.score.value(parameters, now: now) >= threshold
            }
            candidates.shuffle(using: &generator)
            let targetCount = max(config.gossipDegreeMin, Int(config.gossipFactor * Double(candidates.count)))
            for peer in candidates.prefix(targetCount) {
                var advertised = ids
                if advertised.count > config.iwantIDsPerPeerPerHeartbeatMax {
                    advertised.shuffle(using: &generator)
                    advertised.removeLast(advertised.count - config.iwantIDsPerPeerPerHeartbeatMax)
                }
                counters.ihavesSent += 1
                outbox.add(.ihave(.init(topic: topic, ids: advertised)), to: peer)
            }
        }
    }
}
