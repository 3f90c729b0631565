public import PoUWCore
public import PoUWGossip

/// A `GossipRouter` as a simulated node: its actions become network commands, validation requests
/// are answered at once by `validator`, and deliveries are recorded with their virtual time.
public struct GossipNode: SimulatedNode {
    /// Decides the validation result of a message (topic, data, the peer it came from).
    public typealias Validator = (GossipTopic, [UInt8], PublicKey) -> ValidationResult

    public let key: PublicKey
    public private(set) var router: GossipRouter
    public var validator: Validator
    /// First delivery time of every delivered message.
    public private(set) var deliveries: [MessageID: Nanoseconds] = [:]
    /// Every non-send action the router produced, in order (validate and deliver excluded).
    public private(set) var notices: [GossipAction] = []

    /// A node subscribed to `topics`, accepting every message unless given a `validator`.
    public init(
        key: PublicKey, config: GossipConfig = GossipConfig(), seed: UInt64,
        topics: [GossipTopic] = GossipTopic.allCases,
        validator: @escaping Validator = { _, _, _ in .accept }
    ) {
        self.key = key
        self.validator = validator
        router = GossipRouter(localKey: key, config: config, seed: seed)
        for topic in topics { _ = router.handle(.subscribe(topic)) }
    }

    /// Publishes our own message.
    public mutating func publish(_ topic: GossipTopic, _ data: [UInt8], now: Nanoseconds) -> [NetworkCommand] {
        run(.publish(topic: topic, data: data, nowNanoseconds: now), now: now)
    }

    /// Feeds any event to the router.
    public mutating func run(_ event: GossipEvent, now: Nanoseconds) -> [NetworkCommand] {
        var commands: [NetworkCommand] = []
        var events = [event]
        var next = 0
        while next < events.count {
            for action in router.handle(events[next]) {
                switch action {
                case .send(let peer, let bytes):
                    commands.append(.send(to: peer, bytes: bytes))
                case .validate(let topic, let id, let data, let peer):
                    events.append(.validationResult(id, validator(topic, data, peer)))
                case .deliver(_, let id, _, _):
                    if deliveries[id] == nil { deliveries[id] = now }
                case .disconnect(let peer, _):
                    notices.append(action)
                    commands.append(.disconnect(peer))
                case .graylisted, .banned, .peerExchange:
                    notices.append(action)
                }
            }
            next += 1
        }
        return commands
    }

    public mutating func linkUp(_ peer: PublicKey, outbound: Bool, now: Nanoseconds) -> [NetworkCommand] {
        run(.peerConnected(peer, outbound: outbound), now: now)
    }

    public mutating func linkDown(_ peer: PublicKey, now: Nanoseconds) -> [NetworkCommand] {
        run(.peerDisconnected(peer), now: now)
    }

    public mutating func receive(_ bytes: [UInt8], from peer: PublicKey, now: Nanoseconds) -> [NetworkCommand] {
        run(.received(from: peer, bytes: bytes), now: now)
    }

    public mutating func tick(now: Nanoseconds) -> [NetworkCommand] {
        run(.heartbeat(nowNanoseconds: now), now: now)
    }
}
