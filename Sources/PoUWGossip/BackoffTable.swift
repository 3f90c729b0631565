import PoUWCore

/// PRUNE backoffs per (peer, topic): until `expiry` we do not graft the peer to the topic's mesh, and
/// a GRAFT from it is a protocol violation. Bounded: when full, the backoff ending first is dropped.
struct BackoffTable: Sendable {
    struct Key: Hashable, Sendable, Comparable {
        let peer: PublicKey
        let topic: GossipTopic

        static func < (lhs: Key, rhs: Key) -> Bool {
            lhs.peer != rhs.peer ? lhs.peer < rhs.peer : lhs.topic < rhs.topic
        }
    }

    struct Entry: Sendable {
        /// When the backoff began (the PRUNE), for the graft-flood check.
        let start: Nanoseconds
        let expiry: Nanoseconds
    }

    let capacity: Int
    private var entries: [Key: Entry] = [:]

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    var count: Int { entries.count }

    func entry(_ peer: PublicKey, _ topic: GossipTopic) -> Entry? { entries[Key(peer: peer, topic: topic)] }

    /// Starts (or extends) a backoff of `duration` from `now`. An existing longer backoff is kept.
    mutating func set(_ peer: PublicKey, _ topic: GossipTopic, now: Nanoseconds, duration: Nanoseconds) {
        let key = Key(peer: peer, topic: topic)
        let expiry = now.saturatingAdding(duration)
        if let existing = entries[key], existing.expiry >= expiry { return }
        if entries[key] == nil && entries.count >= capacity, let soonest = soonestEnding() {
            entries.removeValue(forKey: soonest)
        }
        entries[key] = Entry(start: now, expiry: expiry)
    }

    /// Drops the backoffs that ended, `slack` included, by `now` (the slack keeps them long enough
    /// for our own grafting to wait it out).
    mutating func expire(now: Nanoseconds, slack: Nanoseconds) {
        entries = entries.filter { $0.value.expiry.saturatingAdding(slack) > now }
    }

    private func soonestEnding() -> Key? {
        entries.min { ($0.value.expiry, $0.key) < ($1.value.expiry, $1.key) }?.key
    }
}
