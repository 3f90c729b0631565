import PoUWCore

/// IWANT promises (gossipsub v1.1 spam protection): when we answer a peer's IHAVE with IWANT, one of
/// the wanted ids is tracked; if that message has not arrived from anyone by the deadline, the peer
/// broke its promise and earns a behaviour penalty. Bounded by a count of tracked ids; when full, new
/// promises are not tracked.
struct PromiseTable: Sendable {
    let capacity: Int
    private var deadlines: [MessageID: [PublicKey: Nanoseconds]] = [:]

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    var count: Int { deadlines.count }

    /// Tracks that `peer` promised `id` by `deadline` (the first promise of a peer for an id counts).
    mutating func add(_ id: MessageID, from peer: PublicKey, deadline: Nanoseconds) {
        guard deadlines[id] != nil || deadlines.count < capacity else { return }
        if deadlines[id]?[peer] == nil { deadlines[id, default: [:]][peer] = deadline }
    }

    /// The message arrived: every promise of it is kept.
    mutating func fulfil(_ id: MessageID) { deadlines.removeValue(forKey: id) }

    /// Removes the promises past their deadline at `now` and returns how many each peer broke.
    mutating func takeBroken(now: Nanoseconds) -> [PublicKey: Int] {
        var broken: [PublicKey: Int] = [:]
        for (id, byPeer) in deadlines {
            let remaining = byPeer.filter { $0.value > now }
            for (peer, deadline) in byPeer where deadline <= now { broken[peer, default: 0] += 1 }
            deadlines[id] = remaining.isEmpty ? nil : remaining
        }
        return broken
    }
}
