import PoUWCore
import PoUWWire

/// Received RPCs: subscriptions, messages and their validation, IHAVE/IWANT, GRAFT/PRUNE.
extension GossipRouter {
    mutating func receive(_ bytes: [UInt8], from peer: PublicKey) {
        guard peers[peer] != nil else { return }
        guard score(peer) >= config.thresholds.graylist else {
            counters.graylistedRPCs += 1
            peers[peer]?.score.behaviourPenalty += 1
            reviewStanding(peer)
            return
        }
        let rpc: GossipRPC
        do {
            rpc = try Wire.decode(GossipRPC.self, from: bytes)
        } catch {
            counters.malformedRPCs += 1
            peers[peer]?.score.malformedRPCs += 1
            reviewStanding(peer)
            return
        }
        for subscription in rpc.subscriptions { applySubscription(subscription, from: peer) }
        for message in rpc.messages { receiveMessage(message, from: peer) }
        for ihave in rpc.ihave { receiveIHave(ihave, from: peer) }
        for iwant in rpc.iwant { receiveIWant(iwant, from: peer) }
        for graft in rpc.graft { receiveGraft(graft.topic, from: peer) }
        for prune in rpc.prune { receivePrune(prune, from: peer) }
        reviewStanding(peer)
    }

    private mutating func applySubscription(_ subscription: GossipRPC.Subscription, from peer: PublicKey) {
        if subscription.subscribe {
            peers[peer]?.topics.insert(subscription.topic)
        } else {
            peers[peer]?.topics.remove(subscription.topic)
            removeFromMesh(peer, subscription.topic)
            fanout[subscription.topic]?.remove(peer)
        }
    }

    // MARK: Messages

    private mutating func receiveMessage(_ message: GossipRPC.Message, from peer: PublicKey) {
        counters.messagesReceived += 1
        guard subscriptions.contains(message.topic) else {
            counters.unsubscribedMessages += 1
            return
        }
        let id = message.id
        promises.fulfil(id)
        if seen.contains(id) {
            counters.duplicateMessages += 1
            if var waiting = pending[id], waiting.source != peer, !waiting.duplicateSenders.contains(peer),
               waiting.duplicateSenders.count < PendingValidation.duplicateSendersMax {
                waiting.duplicateSenders.append(peer)
                pending[id] = waiting
            }
            return
        }
        guard pending.count < config.pendingValidationsMax else {
            counters.validationQueueFullDrops += 1
            return
        }
        _ = seen.insert(id, now: nowNanoseconds)
        pending[id] = PendingValidation(
            topic: message.topic, data: message.data, source: peer, receivedAt: nowNanoseconds
        )
        actions.append(.validate(topic: message.topic, messageID: id, data: message.data, from: peer))
    }

    mutating func finishValidation(_ id: MessageID, _ result: ValidationResult) {
        guard let waiting = pending.removeValue(forKey: id) else { return }
        switch result {
        case .accept:
            counters.messagesDelivered += 1
            peers[waiting.source]?.score.addFirstDelivery(waiting.topic, config.score)
            messageCache.put(id, topic: waiting.topic, data: waiting.data)
            actions.append(.deliver(topic: waiting.topic, messageID: id, data: waiting.data, from: waiting.source))
            let skip = Set(waiting.duplicateSenders + [waiting.source])
            for peer in (mesh[waiting.topic] ?? []).sorted() where !skip.contains(peer) {
                outbox.add(.message(.init(topic: waiting.topic, data: waiting.data)), to: peer)
            }
        case .reject:
            counters.messagesRejected += 1
            for peer in [waiting.source] + waiting.duplicateSenders where peers[peer] != nil {
                peers[peer]?.score.addInvalidDelivery(waiting.topic)
                reviewStanding(peer)
            }
        case .ignore:
            counters.messagesIgnored += 1
        }
    }

    // MARK: Gossip

    private mutating func receiveIHave(_ ihave: GossipRPC.IHave, from peer: PublicKey) {
        guard var state = peers[peer], score(peer) >= config.thresholds.gossip else { return }
        state.ihavesThisHeartbeat += 1
        peers[peer] = state
        let room = config.iwantIDsPerPeerPerHeartbeatMax - state.iwantIDsThisHeartbeat
        guard state.ihavesThisHeartbeat <= config.ihavesPerPeerPerHeartbeatMax, room > 0,
              subscriptions.contains(ihave.topic) else { return }
        var wanted: [MessageID] = []
        var wantedSet: Set<MessageID> = []
        for id in ihave.ids where !seen.contains(id) && wantedSet.insert(id).inserted { wanted.append(id) }
        guard !wanted.isEmpty else { return }
        if wanted.count > room {
            wanted.shuffle(using: &generator)
            wanted.removeLast(wanted.count - room)
        }
        peers[peer]?.iwantIDsThisHeartbeat += wanted.count
        counters.iwantIDsSent += wanted.count
        outbox.add(.iwant(.init(ids: wanted)), to: peer)
        let tracked = wanted[Int.random(in: 0..<wanted.count, using: &generator)]
        promises.add(tracked, from: peer, deadline: nowNanoseconds.saturatingAdding(config.iwantFollowupNanoseconds))
    }

    private mutating func receiveIWant(_ iwant: GossipRPC.IWant, from peer: PublicKey) {
        guard peers[peer] != nil, score(peer) >= config.thresholds.gossip else { return }
        for id in iwant.ids {
            guard let served = peers[peer]?.iwantServedThisHeartbeat,
                  served < config.iwantServedPerPeerPerHeartbeatMax else { return }
            guard let entry = messageCache.entry(id),
                  messageCache.recordServed(id, to: peer) <= config.gossipRetransmissionMax else { continue }
            peers[peer]?.iwantServedThisHeartbeat += 1
            counters.iwantMessagesServed += 1
            outbox.add(.message(.init(topic: entry.topic, data: entry.data)), to: peer)
        }
    }

    // MARK: Mesh control

    private mutating func receiveGraft(_ topic: GossipTopic, from peer: PublicKey) {
        // Spam hardening: a GRAFT for a topic we are not in is ignored.
        guard subscriptions.contains(topic), let state = peers[peer], !(mesh[topic]?.contains(peer) ?? false) else {
            return
        }
        peers[peer]?.topics.insert(topic)
        if let backoff = backoffs.entry(peer, topic), backoff.expiry > nowNanoseconds {
            // Grafting during a backoff is a violation; flooding right after the PRUNE doubly so.
            var penalty = 1.0
            if nowNanoseconds < backoff.start.saturatingAdding(config.graftFloodThresholdNanoseconds) { penalty += 1 }
            peers[peer]?.score.behaviourPenalty += penalty
            sendPrune(peer, topic, backoff: config.pruneBackoffNanoseconds, peerExchange: false)
            return
        }
        if score(peer) < 0 {
            sendPrune(peer, topic, backoff: config.pruneBackoffNanoseconds, peerExchange: false)
            return
        }
        if (mesh[topic]?.count ?? 0) >= config.meshDegreeHigh && !state.outbound {
            sendPrune(peer, topic, backoff: config.pruneBackoffNanoseconds, peerExchange: true)
            return
        }
        addToMesh(peer, topic)
    }

    private mutating func receivePrune(_ prune: GossipRPC.Prune, from peer: PublicKey) {
        removeFromMesh(peer, prune.topic)
        // A backoff of 0 asks for nothing in particular: the default applies.
        let requested = Nanoseconds(prune.backoffSeconds) * GossipConfig.second
        let backoff = requested == 0 ? config.pruneBackoffNanoseconds : requested
        backoffs.set(peer, prune.topic, now: nowNanoseconds, duration: backoff)
        if !prune.peers.isEmpty && score(peer) >= config.thresholds.acceptPeerExchange {
            actions.append(.peerExchange(from: peer, records: prune.peers))
        }
    }
}
