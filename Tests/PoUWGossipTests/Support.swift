import PoUWCore
import PoUWGossip
import PoUWWire

let second = GossipConfig.second

/// A router under test, with peers named by small integers and a clock the test advances.
struct Harness {
    static let local = PublicKey([UInt8](repeating: 0xee, count: 32))

    static func peer(_ number: Int) -> PublicKey {
        PublicKey([UInt8(number)] + [UInt8](repeating: 0, count: 31))
    }

    var router: GossipRouter
    var now: Nanoseconds = 0

    init(config: GossipConfig = GossipConfig(), topics: [GossipTopic] = [.votes], seed: UInt64 = 7) {
        router = GossipRouter(localKey: Self.local, config: config, seed: seed)
        for topic in topics { _ = router.handle(.subscribe(topic)) }
    }

    /// Connects peer `number`, which then announces `topics`.
    @discardableResult
    mutating func connect(_ number: Int, outbound: Bool = false, topics: [GossipTopic] = [.votes]) -> [GossipAction] {
        var actions = router.handle(.peerConnected(Self.peer(number), outbound: outbound))
        if !topics.isEmpty {
            actions += receive(from: number, GossipRPC(subscriptions: topics.map { .init(topic: $0, subscribe: true) }))
        }
        return actions
    }

    @discardableResult
    mutating func receive(from number: Int, _ rpc: GossipRPC) -> [GossipAction] {
        router.handle(.received(from: Self.peer(number), bytes: Wire.encode(rpc)))
    }

    /// Peer `number` sends one message; every validation request is answered with `result`.
    @discardableResult
    mutating func message(
        from number: Int, _ data: [UInt8], topic: GossipTopic = .votes, result: ValidationResult = .accept
    ) -> [GossipAction] {
        let actions = receive(from: number, GossipRPC(messages: [.init(topic: topic, data: data)]))
        return actions + answer(actions, with: result)
    }

    /// Answers every `validate` in `actions` with `result`.
    mutating func answer(_ actions: [GossipAction], with result: ValidationResult) -> [GossipAction] {
        actions.validations.flatMap { router.handle(.validationResult($0, result)) }
    }

    /// Advances the clock by `seconds` and runs a heartbeat.
    @discardableResult
    mutating func heartbeat(after seconds: Nanoseconds = 1) -> [GossipAction] {
        now += seconds * second
        return router.handle(.heartbeat(nowNanoseconds: now))
    }

    @discardableResult
    mutating func publish(_ data: [UInt8], topic: GossipTopic = .votes) -> [GossipAction] {
        router.handle(.publish(topic: topic, data: data, nowNanoseconds: now))
    }
}

extension [GossipAction] {
    /// Every frame sent, decoded.
    var sent: [(to: PublicKey, rpc: GossipRPC)] {
        compactMap { action in
            guard case .send(let peer, let bytes) = action else { return nil }
            guard let rpc = try? Wire.decode(GossipRPC.self, from: bytes) else {
                preconditionFailure("the router sent bytes that do not decode as a GossipRPC")
            }
            return (peer, rpc)
        }
    }

    func rpcs(to peer: PublicKey) -> [GossipRPC] { sent.filter { $0.to == peer }.map(\.rpc) }

    /// Peers sent a GRAFT (for any topic).
    var graftedPeers: Set<PublicKey> { Set(sent.filter { !$0.rpc.graft.isEmpty }.map(\.to)) }

    /// Peers sent a PRUNE (for any topic).
    var prunedPeers: Set<PublicKey> { Set(sent.filter { !$0.rpc.prune.isEmpty }.map(\.to)) }

    /// Messages sent to `peer`.
    func messages(to peer: PublicKey) -> [GossipRPC.Message] { rpcs(to: peer).flatMap(\.messages) }

    /// Peers that were sent any message.
    var messageRecipients: Set<PublicKey> { Set(sent.filter { !$0.rpc.messages.isEmpty }.map(\.to)) }

    var validations: [MessageID] {
        compactMap { if case .validate(_, let id, _, _) = $0 { id } else { nil } }
    }

    var deliveries: [MessageID] {
        compactMap { if case .deliver(_, let id, _, _) = $0 { id } else { nil } }
    }

    var disconnects: [PublicKey] {
        compactMap { if case .disconnect(let peer, _) = $0 { peer } else { nil } }
    }
}

/// Distinct message data for test number `n`.
func payload(_ n: Int, bytes: Int = 24) -> [UInt8] {
    precondition(bytes >= 8)
    return withUnsafeBytes(of: UInt64(n).littleEndian, Array.init) + [UInt8](repeating: 0xab, count: bytes - 8)
}
