import PoUWCore

/// Message ids seen recently: a message whose id is here is a duplicate and is dropped, and an
/// IHAVE for it is not answered with IWANT. Entries leave after `ttl`, or oldest first when the
/// cache holds `capacity` ids.
struct SeenCache: Sendable {
    let ttl: Nanoseconds
    let capacity: Int
    private var members: Set<MessageID> = []
    /// Insertion order with insertion time; holds exactly the ids of `members`.
    private var order = FIFOQueue<(id: MessageID, at: Nanoseconds)>()

    init(ttl: Nanoseconds, capacity: Int) {
        precondition(capacity >= 1)
        self.ttl = ttl
        self.capacity = capacity
    }

    var count: Int { members.count }

    func contains(_ id: MessageID) -> Bool { members.contains(id) }

    /// Adds `id` seen at `now`; false (and no change) if it is already there.
    mutating func insert(_ id: MessageID, now: Nanoseconds) -> Bool {
        guard !members.contains(id) else { return false }
        while members.count >= capacity, let oldest = order.popFirst() {
            members.remove(oldest.id)
        }
        members.insert(id)
        order.append((id, now))
        return true
    }

    /// Drops the ids older than `ttl` at `now`.
    mutating func expire(now: Nanoseconds) {
        while let oldest = order.first, oldest.at.saturatingAdding(ttl) <= now {
            order.popFirst()
            members.remove(oldest.id)
        }
    }
}
