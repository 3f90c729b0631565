import PoUWCore
import PoUWGossip
import PoUWWire
import Testing

/// Two routers joined back to back: frames are carried at once, validations accepted.
struct RouterPair {
    var routers: [GossipRouter]
    var delivered: [[MessageID]] = [[], []]

    init(config: GossipConfig) {
        routers = [
            GossipRouter(localKey: Harness.peer(1), config: config, seed: 1),
            GossipRouter(localKey: Harness.peer(2), config: config, seed: 2),
        ]
    }

    /// Handles `event` on side `side` and carries everything that follows until both are quiet.
    mutating func run(_ event: GossipEvent, on side: Int) {
        var work = [(side, routers[side].handle(event))]
        while !work.isEmpty {
            let (at, actions) = work.removeFirst()
            for action in actions {
                switch action {
                case .send(let peer, let bytes):
                    let other = 1 - at
                    precondition(peer == routers[other].localKey)
                    work.append((other, routers[other].handle(.received(from: routers[at].localKey, bytes: bytes))))
                case .validate(_, let id, _, _):
                    work.append((at, routers[at].handle(.validationResult(id, .accept))))
                case .deliver(_, let id, _, _):
                    delivered[at].append(id)
                default:
                    break
                }
            }
        }
    }
}

/// IHAVE gossip, IWANT answers, caps and promises.
extension GossipRouterTests {
    @Test("IHAVE/IWANT recovers a message a peer missed")
    func gossipRecoversMissedMessage() {
        var config = GossipConfig()
        config.floodPublish = false
        var pair = RouterPair(config: config)
        for side in 0...1 { pair.run(.subscribe(.votes), on: side) }
        pair.run(.peerConnected(Harness.peer(2), outbound: true), on: 0)
        pair.run(.peerConnected(Harness.peer(1), outbound: false), on: 1)
        // Peer 2 pruned peer 1 earlier, so 1 may not graft 2 for a while: 2 is outside 1's mesh.
        let prune = Wire.encode(GossipRPC(prune: [.init(topic: .votes, backoffSeconds: 60)]))
        pair.run(.received(from: Harness.peer(2), bytes: prune), on: 0)

        let data = payload(20)
        pair.run(.publish(topic: .votes, data: data, nowNanoseconds: 0), on: 0)
        #expect(pair.delivered[1].isEmpty, "with the mesh empty, the message reaches nobody")
        pair.run(.heartbeat(nowNanoseconds: second), on: 0)
        #expect(pair.routers[0].meshPeers(.votes).isEmpty)
        #expect(pair.delivered[1] == [MessageID(topic: .votes, data: data)])
        #expect(pair.routers[0].counters.ihavesSent == 1)
        #expect(pair.routers[1].counters.iwantIDsSent == 1)
        #expect(pair.routers[0].counters.iwantMessagesServed == 1)
    }

    @Test("IHAVE goes to at least D_lazy non-mesh peers for the last gossipLength heartbeats only")
    func ihaveEmission() {
        let config = GossipConfig()
        var harness = Harness()
        for number in 1...20 { harness.connect(number) }
        harness.heartbeat()
        let mesh = Set(harness.router.meshPeers(.votes))
        let data = payload(21)
        harness.publish(data)
        let id = MessageID(topic: .votes, data: data)
        for _ in 0..<config.gossipHistoryLength {
            let actions = harness.heartbeat()
            let advertised = actions.sent.filter { $0.rpc.ihave.contains(.init(topic: .votes, ids: [id])) }.map(\.to)
            #expect(advertised.count == max(config.gossipDegreeMin, (20 - mesh.count) / 4))
            #expect(mesh.isDisjoint(with: advertised))
        }
        #expect(harness.heartbeat().sent.allSatisfy { $0.rpc.ihave.isEmpty })
    }

    @Test("IWANT is answered from the message cache until the message leaves it, at most gossipRetransmissionMax times")
    func iwantServing() {
        let config = GossipConfig()
        var harness = Harness()
        harness.connect(1)
        harness.connect(2)
        let data = payload(22)
        harness.publish(data)
        let iwant = GossipRPC(iwant: [.init(ids: [MessageID(topic: .votes, data: data)])])
        var served = 0
        for _ in 0..<(config.gossipRetransmissionMax + 2) {
            served += harness.receive(from: 1, iwant).messages(to: Harness.peer(1)).count
        }
        #expect(served == config.gossipRetransmissionMax)
        for _ in 0..<(config.historyLength - 1) { harness.heartbeat() }
        #expect(harness.receive(from: 2, iwant).messages(to: Harness.peer(2)) == [.init(topic: .votes, data: data)])
        harness.heartbeat()
        #expect(harness.receive(from: 2, iwant).isEmpty, "after historyLength heartbeats the message is gone")
        #expect(harness.receive(from: 2, GossipRPC(iwant: [.init(ids: [MessageID(topic: .votes, data: [1])])])).isEmpty)
    }

    @Test("IHAVE handling is capped per peer per heartbeat, in entries and in ids asked for")
    func ihaveCaps() {
        var config = GossipConfig()
        config.iwantIDsPerPeerPerHeartbeatMax = 5
        var harness = Harness(config: config)
        harness.connect(1)
        let ids = (0..<8).map { MessageID(topic: .votes, data: payload(30 + $0)) }
        let asked = harness.receive(from: 1, GossipRPC(ihave: [.init(topic: .votes, ids: ids)]))
        #expect(asked.rpcs(to: Harness.peer(1)).flatMap(\.iwant).flatMap(\.ids).count == 5)
        #expect(harness.receive(from: 1, GossipRPC(ihave: [.init(topic: .votes, ids: ids)])).isEmpty)
        harness.heartbeat()
        #expect(!harness.receive(from: 1, GossipRPC(ihave: [.init(topic: .votes, ids: ids)])).isEmpty)

        var defaults = Harness()
        defaults.connect(2)
        let entries = (0..<12).map {
            GossipRPC.IHave(topic: .votes, ids: [MessageID(topic: .votes, data: payload(40 + $0))])
        }
        let answered = defaults.receive(from: 2, GossipRPC(ihave: entries)).rpcs(to: Harness.peer(2)).flatMap(\.iwant)
        #expect(answered.flatMap(\.ids).count == GossipConfig().ihavesPerPeerPerHeartbeatMax)
    }

    @Test("IHAVE for messages already seen, or for topics we are not in, asks for nothing")
    func ihaveForKnownOrForeign() {
        var harness = Harness()
        harness.connect(1, topics: [.votes, .receipts])
        let data = payload(50)
        harness.message(from: 1, data)
        let seen = GossipRPC(ihave: [.init(topic: .votes, ids: [MessageID(topic: .votes, data: data)])])
        #expect(harness.receive(from: 1, seen).isEmpty)
        let foreign = GossipRPC(ihave: [.init(topic: .receipts, ids: [MessageID(topic: .receipts, data: data)])])
        #expect(harness.receive(from: 1, foreign).isEmpty)
    }

    @Test("an IWANT promise not kept in time is counted as broken; a kept one is not")
    func brokenPromises() {
        let config = GossipConfig()
        var harness = Harness()
        harness.connect(1)
        let kept = payload(60)
        let broken = payload(61)
        for data in [kept, broken] {
            let ihave = GossipRPC.IHave(topic: .votes, ids: [MessageID(topic: .votes, data: data)])
            harness.receive(from: 1, GossipRPC(ihave: [ihave]))
        }
        harness.message(from: 1, kept)
        harness.heartbeat(after: config.iwantFollowupNanoseconds / second - 1)
        #expect(harness.router.counters.brokenPromises == 0)
        harness.heartbeat()
        #expect(harness.router.counters.brokenPromises == 1)
    }

    @Test("IWANT answers larger than a frame are split across frames")
    func largeAnswersAreSplit() {
        var harness = Harness()
        harness.connect(1)
        let big = (0..<3).map { payload(70 + $0, bytes: 3 * 1024 * 1024) }
        for data in big { harness.publish(data) }
        let ids = big.map { MessageID(topic: .votes, data: $0) }
        let actions = harness.receive(from: 1, GossipRPC(iwant: [.init(ids: ids)]))
        let frames = actions.compactMap { if case .send(_, let bytes) = $0 { bytes } else { nil } }
        #expect(frames.count >= 2)
        #expect(frames.allSatisfy { $0.count <= Limits.frameBytesMax })
        #expect(actions.messages(to: Harness.peer(1)).map(\.data) == big)
    }
}
