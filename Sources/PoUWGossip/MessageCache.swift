import PoUWCore

/// The messages of the last `historyLength` heartbeats, for answering IWANT; the newest
/// `gossipLength` heartbeats' ids are what IHAVE advertises. `shift` (once per heartbeat) opens a new
/// window and drops the oldest. Bounded by a message count and a byte count: a message that does
/// not fit is not cached (it is still forwarded, just not served to IWANT).
struct MessageCache: Sendable {
    struct Entry: Sendable {
        let topic: GossipTopic
        let data: [UInt8]
        /// How often each peer has been sent this message in answer to IWANT.
        var servedCount: [PublicKey: Int] = [:]
    }

    let gossipLength: Int
    let entriesMax: Int
    let bytesMax: Int
    /// `windows[0]` is the current heartbeat's ids, in insertion order.
    private var windows: [[MessageID]]
    private var entries: [MessageID: Entry] = [:]
    private(set) var bytes = 0

    init(historyLength: Int, gossipLength: Int, entriesMax: Int, bytesMax: Int) {
        precondition(historyLength >= 1 && gossipLength >= 1 && gossipLength <= historyLength)
        self.gossipLength = gossipLength
        self.entriesMax = entriesMax
        self.bytesMax = bytesMax
        windows = Array(repeating: [], count: historyLength)
    }

    var count: Int { entries.count }

    func entry(_ id: MessageID) -> Entry? { entries[id] }

    /// Caches a message in the current window. False if it is already cached or does not fit.
    @discardableResult
    mutating func put(_ id: MessageID, topic: GossipTopic, data: [UInt8]) -> Bool {
        guard entries[id] == nil, entries.count < entriesMax, bytes + data.count <= bytesMax else { return false }
        entries[id] = Entry(topic: topic, data: data)
        bytes += data.count
        windows[0].append(id)
        return true
    }

    /// Counts one more IWANT answer of `id` to `peer`; returns the count including this one.
    mutating func recordServed(_ id: MessageID, to peer: PublicKey) -> Int {
        guard entries[id] != nil else { return 0 }
        let next = (entries[id]!.servedCount[peer] ?? 0) + 1
        entries[id]!.servedCount[peer] = next
        return next
    }

    /// The ids of `topic` from the newest `gossipLength` windows, newest first.
    func gossipIDs(_ topic: GossipTopic) -> [MessageID] {
        var ids: [MessageID] = []
        for window in windows.prefix(gossipLength) {
            for id in window where entries[id]?.topic == topic { ids.append(id) }
        }
        return ids
    }

    /// Ends the current heartbeat: the oldest window's messages leave the cache.
    mutating func shift() {
        for id in windows.removeLast() {
            if let removed = entries.removeValue(forKey: id) { bytes -= removed.data.count }
        }
        windows.insert([], at: 0)
    }
}
