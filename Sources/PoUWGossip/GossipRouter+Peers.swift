import PoUWCore

/// Connections, subscriptions, and the GRAFT/PRUNE we send.
extension GossipRouter {
    mutating func connect(_ peer: PublicKey, outbound: Bool) {
        guard peer != localKey, peers[peer] == nil else { return }
        if isBanned(peer) {
            actions.append(.disconnect(peer, .banned))
            return
        }
        guard peers.count < config.peersMax else {
            actions.append(.disconnect(peer, .tooManyPeers))
            return
        }
        var state = PeerState(outbound: outbound)
        if let retained = retainedScores.removeValue(forKey: peer) { state.score = retained.score }
        peers[peer] = state
        for topic in subscriptions.sorted() {
            outbox.add(.subscription(.init(topic: topic, subscribe: true)), to: peer)
        }
    }

    mutating func disconnect(_ peer: PublicKey) {
        guard var state = forget(peer) else { return }
        state.score.leaveAllMeshes()
        guard config.retainedScoresMax > 0, !state.score.isNeutral else { return }
        if retainedScores.count >= config.retainedScoresMax,
           let soonest = retainedScores.min(by: { ($0.value.expiry, $0.key) < ($1.value.expiry, $1.key) })?.key {
            retainedScores.removeValue(forKey: soonest)
        }
        let expiry = nowNanoseconds.saturatingAdding(config.score.retainScoreNanoseconds)
        retainedScores[peer] = RetainedScore(score: state.score, expiry: expiry)
    }

    /// Removes every trace of a connected peer from the mesh, fanout and outbox; returns its state.
    mutating func forget(_ peer: PublicKey) -> PeerState? {
        guard let state = peers.removeValue(forKey: peer) else { return nil }
        for topic in GossipTopic.allCases {
            mesh[topic]?.remove(peer)
            fanout[topic]?.remove(peer)
        }
        outbox.drop(peer)
        return state
    }

    mutating func setRecord(_ record: SignedEnvelope, of peer: PublicKey) {
        precondition(record.signer == peer, "a peer record must be signed by the peer it describes")
        if let reason = GossipRPC.Prune.recordViolation(record) {
            preconditionFailure("not a peer-exchange record: \(reason)")
        }
        peers[peer]?.record = record
    }

    mutating func subscribe(_ topic: GossipTopic) {
        guard subscriptions.insert(topic).inserted else { return }
        for peer in peers.keys.sorted() {
            outbox.add(.subscription(.init(topic: topic, subscribe: true)), to: peer)
        }
        // Join: keep the usable fanout peers, then fill up to D with random eligible peers.
        var members: [PublicKey] = []
        for peer in (fanout.removeValue(forKey: topic) ?? []).sorted() where members.count < config.meshDegree {
            if score(peer) >= 0 && !isBackedOff(peer, topic) { members.append(peer) }
        }
        fanoutLastPublished.removeValue(forKey: topic)
        mesh[topic] = []
        let candidates = graftCandidates(topic, excluding: Set(members), outboundOnly: false)
        members += candidates.prefix(config.meshDegree - members.count)
        for peer in members { graft(peer, topic) }
    }

    mutating func unsubscribe(_ topic: GossipTopic) {
        guard subscriptions.remove(topic) != nil else { return }
        for peer in peers.keys.sorted() {
            outbox.add(.subscription(.init(topic: topic, subscribe: false)), to: peer)
        }
        for peer in (mesh.removeValue(forKey: topic) ?? []).sorted() {
            sendPrune(peer, topic, backoff: config.unsubscribeBackoffNanoseconds, peerExchange: false)
        }
    }

    // MARK: Mesh membership

    /// True while we must not graft `peer` to `topic`: its backoff, plus slack, has not ended.
    func isBackedOff(_ peer: PublicKey, _ topic: GossipTopic) -> Bool {
        guard let entry = backoffs.entry(peer, topic) else { return false }
        return entry.expiry.saturatingAdding(config.backoffSlackNanoseconds) > nowNanoseconds
    }

    /// Peers we may graft to `topic`, shuffled: connected, subscribed, not in `excluding`, not backed
    /// off, score at least 0 (and outbound when `outboundOnly`).
    mutating func graftCandidates(
        _ topic: GossipTopic, excluding: Set<PublicKey>, outboundOnly: Bool
    ) -> [PublicKey] {
        let now = nowNanoseconds
        let parameters = config.score
        var candidates = sortedPeers { peer, state in
            state.topics.contains(topic) && !excluding.contains(peer) && (!outboundOnly || state.outbound)
                && state.score.value(parameters, now: now) >= 0
        }
        candidates.removeAll { isBackedOff($0, topic) || (mesh[topic]?.contains($0) ?? false) }
        candidates.shuffle(using: &generator)
        return candidates
    }

    /// Adds `peer` to our mesh for `topic` and tells it.
    mutating func graft(_ peer: PublicKey, _ topic: GossipTopic) {
        addToMesh(peer, topic)
        counters.graftsSent += 1
        outbox.add(.graft(.init(topic: topic)), to: peer)
    }

    mutating func addToMesh(_ peer: PublicKey, _ topic: GossipTopic) {
        mesh[topic, default: []].insert(peer)
        peers[peer]?.score.topics[topic.index].meshSince = nowNanoseconds
    }

    mutating func removeFromMesh(_ peer: PublicKey, _ topic: GossipTopic) {
        mesh[topic]?.remove(peer)
        peers[peer]?.score.topics[topic.index].meshSince = nil
    }

    /// Removes `peer` from our mesh for `topic` (if there), starts a backoff, and sends PRUNE, with
    /// signed records of other peers of the topic when `peerExchange` and the peer scores at least 0.
    mutating func sendPrune(_ peer: PublicKey, _ topic: GossipTopic, backoff: Nanoseconds, peerExchange: Bool) {
        removeFromMesh(peer, topic)
        backoffs.set(peer, topic, now: nowNanoseconds, duration: backoff)
        var records: [SignedEnvelope] = []
        if peerExchange && config.peerExchange && score(peer) >= 0 {
            let now = nowNanoseconds
            let parameters = config.score
            var others = sortedPeers { other, state in
                other != peer && state.record != nil && state.topics.contains(topic)
                    && state.score.value(parameters, now: now) >= 0
            }
            others.shuffle(using: &generator)
            records = others.prefix(config.peerExchangeRecordsMax).compactMap { peers[$0]?.record }
        }
        let seconds = (backoff + GossipConfig.second - 1) / GossipConfig.second
        let backoffSeconds = UInt32(min(seconds, Nanoseconds(GossipLimits.pruneBackoffSecondsMax)))
        counters.prunesSent += 1
        outbox.add(.prune(.init(topic: topic, backoffSeconds: backoffSeconds, peers: records)), to: peer)
    }
}
