import PoUWCore

/// Score-driven consequences: graylisting and timed bans.
extension GossipRouter {
    /// Re-evaluates `peer` after its score may have changed: bans it below the ban threshold, and
    /// reports a fall below the graylist threshold once.
    mutating func reviewStanding(_ peer: PublicKey) {
        guard let state = peers[peer] else { return }
        let value = score(peer)
        if value < config.thresholds.ban {
            ban(peer)
            return
        }
        let graylisted = value < config.thresholds.graylist
        if graylisted && !state.graylisted { actions.append(.graylisted(peer, score: value)) }
        peers[peer]?.graylisted = graylisted
    }

    /// Forgets `peer` (its score too: the ban is the punishment) and refuses it for the ban duration.
    private mutating func ban(_ peer: PublicKey) {
        _ = forget(peer)
        retainedScores.removeValue(forKey: peer)
        if bans[peer] == nil && bans.count >= config.bannedPeersMax,
           let soonest = bans.min(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key {
            bans.removeValue(forKey: soonest)
        }
        let until = nowNanoseconds.saturatingAdding(config.banDurationNanoseconds)
        bans[peer] = until
        counters.bans += 1
        actions.append(.banned(peer, untilNanoseconds: until))
        actions.append(.disconnect(peer, .banned))
    }
}
