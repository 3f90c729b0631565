public import PoUWCore

/// A deterministic discrete-event network of N nodes in one process (after TigerBeetle's packet
/// simulator): a virtual clock, seeded per-frame latency (hence reordering) and loss, links that
/// come up and go down, partitions that cut frames between groups and heal, and a tick per node
/// every `tickIntervalNanoseconds` with a random phase. Nothing reads the wall clock or system
/// randomness: the same nodes, seed and calls replay exactly.
public struct SimulatedNetwork<Node: SimulatedNode> {
    public typealias Action = (inout Node, Nanoseconds) -> [NetworkCommand]

    private enum Event {
        case deliver(from: Int, to: Int, bytes: [UInt8])
        case tick(Int)
        case perform(Int, Action)
    }

    private struct Link: Hashable {
        let low: Int
        let high: Int

        init(_ a: Int, _ b: Int) {
            low = min(a, b)
            high = max(a, b)
        }
    }

    public let keys: [PublicKey]
    public let conditions: NetworkConditions
    public let seed: UInt64
    public private(set) var nodes: [Node]
    public private(set) var nowNanoseconds: Nanoseconds = 0
    public private(set) var stats = NetworkStats()
    private let indexByKey: [PublicKey: Int]
    private var links: Set<Link> = []
    /// Partition group of each node, or `nil` when the network is whole.
    private var groups: [Int]?
    private var queue = EventQueue<Event>()
    private var generator: SeededGenerator

    /// - Precondition: one distinct key per node.
    public init(keys: [PublicKey], nodes: [Node], conditions: NetworkConditions = NetworkConditions(), seed: UInt64) {
        precondition(keys.count == nodes.count, "one key per node")
        precondition(Set(keys).count == keys.count, "node keys must be distinct")
        conditions.check()
        self.keys = keys
        self.nodes = nodes
        self.conditions = conditions
        self.seed = seed
        indexByKey = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($0.element, $0.offset) })
        generator = SeededGenerator(seed: seed)
        for index in nodes.indices {
            let phase = Nanoseconds.random(in: 0..<conditions.tickIntervalNanoseconds, using: &generator)
            queue.push(.tick(index), at: phase)
        }
    }

    /// The index of the node with `key`.
    public func index(of key: PublicKey) -> Int? { indexByKey[key] }

    public func isLinked(_ a: Int, _ b: Int) -> Bool { links.contains(Link(a, b)) }

    /// How many links the node has.
    public func linkCount(_ index: Int) -> Int { links.filter { $0.low == index || $0.high == index }.count }

    // MARK: Topology

    /// Brings up a link now: `dialer` sees it as outbound, `listener` as inbound. No-op when linked.
    public mutating func connect(_ dialer: Int, _ listener: Int) {
        precondition(dialer != listener && nodes.indices.contains(dialer) && nodes.indices.contains(listener))
        guard links.insert(Link(dialer, listener)).inserted else { return }
        let toDialer = nodes[dialer].linkUp(keys[listener], outbound: true, now: nowNanoseconds)
        apply(toDialer, from: dialer)
        let toListener = nodes[listener].linkUp(keys[dialer], outbound: false, now: nowNanoseconds)
        apply(toListener, from: listener)
    }

    /// Each node dials `outboundPerNode` random others it is not yet linked to.
    public mutating func connectRandomly(outboundPerNode: Int) {
        precondition(outboundPerNode < nodes.count, "a node cannot dial more peers than exist")
        for dialer in nodes.indices {
            var candidates = nodes.indices.filter { $0 != dialer && !isLinked(dialer, $0) }
            candidates.shuffle(using: &generator)
            for listener in candidates.prefix(outboundPerNode) { connect(dialer, listener) }
        }
    }

    /// Takes a link down now and tells both ends. No-op when not linked.
    public mutating func disconnect(_ a: Int, _ b: Int) {
        guard links.remove(Link(a, b)) != nil else { return }
        stats.disconnects += 1
        apply(nodes[a].linkDown(keys[b], now: nowNanoseconds), from: a)
        apply(nodes[b].linkDown(keys[a], now: nowNanoseconds), from: b)
    }

    /// Splits the network: from now on, frames between nodes of different groups are dropped on
    /// arrival (links stay up, as TCP would while a route is down). Nodes in no group form one more.
    public mutating func partition(_ partitionGroups: [[Int]]) {
        var assignment = Array(repeating: partitionGroups.count, count: nodes.count)
        for (group, members) in partitionGroups.enumerated() {
            for member in members { assignment[member] = group }
        }
        groups = assignment
    }

    /// Ends the partition.
    public mutating func heal() { groups = nil }

    /// True when frames can pass between the two nodes now.
    public func canReach(_ a: Int, _ b: Int) -> Bool { groups.map { $0[a] == $0[b] } ?? true }

    // MARK: Running

    /// Runs `action` on the node now and carries out its commands.
    public mutating func perform(on index: Int, _ action: Action) {
        let commands = action(&nodes[index], nowNanoseconds)
        apply(commands, from: index)
    }

    /// Runs `action` on the node at virtual time `time` (not before now).
    public mutating func schedule(at time: Nanoseconds, on index: Int, _ action: @escaping Action) {
        precondition(nodes.indices.contains(index))
        queue.push(.perform(index, action), at: max(time, nowNanoseconds))
    }

    /// Processes every event up to and including `end`, then sets the clock to `end`.
    public mutating func run(until end: Nanoseconds) {
        while let next = queue.nextTime, next <= end, let (time, event) = queue.pop() {
            nowNanoseconds = time
            process(event)
        }
        nowNanoseconds = max(nowNanoseconds, end)
    }

    private mutating func process(_ event: Event) {
        switch event {
        case .deliver(let from, let to, let bytes):
            guard isLinked(from, to) else {
                stats.framesUnlinked += 1
                return
            }
            guard canReach(from, to) else {
                stats.framesPartitioned += 1
                return
            }
            stats.framesDelivered += 1
            apply(nodes[to].receive(bytes, from: keys[from], now: nowNanoseconds), from: to)
        case .tick(let index):
            apply(nodes[index].tick(now: nowNanoseconds), from: index)
            queue.push(.tick(index), at: nowNanoseconds + conditions.tickIntervalNanoseconds)
        case .perform(let index, let action):
            perform(on: index, action)
        }
    }

    private mutating func apply(_ commands: [NetworkCommand], from index: Int) {
        for command in commands {
            switch command {
            case .send(let key, let bytes):
                stats.framesSent += 1
                stats.bytesSent += bytes.count
                guard let to = indexByKey[key], isLinked(index, to) else {
                    stats.framesUnlinked += 1
                    continue
                }
                if conditions.loses(using: &generator) {
                    stats.framesLost += 1
                    continue
                }
                let arrival = nowNanoseconds + conditions.latency(using: &generator)
                queue.push(.deliver(from: index, to: to, bytes: bytes), at: arrival)
            case .disconnect(let key):
                if let other = indexByKey[key] { disconnect(index, other) }
            }
        }
    }
}
