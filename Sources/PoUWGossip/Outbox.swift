import PoUWCore
import PoUWWire

/// What one `handle` call sends, gathered per peer and packed into as few RPCs as the wire limits
/// allow: every field's count limit and `Limits.frameBytesMax` for the whole frame. Peers are sent to
/// in the order they were first addressed, so the output is a deterministic function of the input.
struct Outbox: Sendable {
    enum Item: Sendable {
        case subscription(GossipRPC.Subscription)
        case message(GossipRPC.Message)
        case ihave(GossipRPC.IHave)
        case iwant(GossipRPC.IWant)
        case graft(GossipRPC.Graft)
        case prune(GossipRPC.Prune)
    }

    private var items: [PublicKey: [Item]] = [:]
    private var order: [PublicKey] = []

    mutating func add(_ item: Item, to peer: PublicKey) {
        if items[peer] == nil { order.append(peer) }
        items[peer, default: []].append(item)
    }

    /// Forgets everything addressed to `peer` (it was banned mid-call).
    mutating func drop(_ peer: PublicKey) {
        guard items.removeValue(forKey: peer) != nil else { return }
        order.removeAll { $0 == peer }
    }

    /// The RPCs to send, peer by peer, and empties the outbox.
    mutating func take() -> [(peer: PublicKey, rpc: GossipRPC)] {
        var result: [(PublicKey, GossipRPC)] = []
        for peer in order {
            var packer = RPCPacker()
            for item in items[peer] ?? [] { packer.add(item) }
            for rpc in packer.finish() { result.append((peer, rpc)) }
        }
        items = [:]
        order = []
        return result
    }
}

/// Packs items into RPCs, starting a new one whenever the next item would break a limit.
private struct RPCPacker {
    /// Version byte and six array counts of at most 10 bytes each.
    private static let rpcOverheadBytes = 1 + 6 * WireDecoder.varintBytesMax
    private static let frameBudgetBytes = Limits.frameBytesMax - rpcOverheadBytes

    private var done: [GossipRPC] = []
    private var current = GossipRPC()
    private var currentBytes = 0

    mutating func add(_ item: Outbox.Item) {
        let bytes = Self.encodedBytesMax(item)
        if !current.isEmpty && (currentBytes + bytes > Self.frameBudgetBytes || !Self.fits(item, in: current)) {
            done.append(current)
            current = GossipRPC()
            currentBytes = 0
        }
        switch item {
        case .subscription(let subscription): current.subscriptions.append(subscription)
        case .message(let message): current.messages.append(message)
        case .ihave(let ihave): current.ihave.append(ihave)
        case .iwant(let iwant): current.iwant.append(iwant)
        case .graft(let graft): current.graft.append(graft)
        case .prune(let prune): current.prune.append(prune)
        }
        currentBytes += bytes
    }

    mutating func finish() -> [GossipRPC] {
        if !current.isEmpty { done.append(current) }
        return done
    }

    private static func fits(_ item: Outbox.Item, in rpc: GossipRPC) -> Bool {
        switch item {
        case .subscription: rpc.subscriptions.count < GossipLimits.subscriptionsPerRPCMax
        case .message: rpc.messages.count < GossipLimits.messagesPerRPCMax
        case .ihave: rpc.ihave.count < GossipLimits.ihavesPerRPCMax
        case .iwant: rpc.iwant.count < GossipLimits.iwantsPerRPCMax
        case .graft: rpc.graft.count < GossipLimits.graftsPerRPCMax
        case .prune: rpc.prune.count < GossipLimits.prunesPerRPCMax
        }
    }

    /// An upper bound on the item's encoded size.
    private static func encodedBytesMax(_ item: Outbox.Item) -> Int {
        let length = WireDecoder.varintBytesMax
        switch item {
        case .subscription: return 2
        case .message(let message): return 1 + length + message.data.count
        case .ihave(let ihave): return 1 + length + Hash32.byteCount * ihave.ids.count
        case .iwant(let iwant): return length + Hash32.byteCount * iwant.ids.count
        case .graft: return 1
        case .prune(let prune):
            let records = prune.peers.reduce(0) { sum, record in
                sum + 3 * length + record.chainId.utf8.count + 2 + record.payload.count
                    + PublicKey.byteCount + Signature.byteCount
            }
            return 1 + 4 + length + records
        }
    }
}
