import PoUWCore
import PoUWGossip
import PoUWWire
import Testing

/// Peer scores and what they allow: gossip, publish, graylist and ban thresholds; decay; retention.
extension GossipRouterTests {
    @Test("invalid messages push a peer below the graylist threshold, reported once; then it is ignored")
    func invalidMessagesGraylist() {
        let thresholds = PeerScoreThresholds()
        var harness = Self.meshed()
        var graylistNotices = 0
        var rejected = 0
        while harness.router.score(of: Harness.peer(1))! >= thresholds.graylist {
            let actions = harness.message(from: 1, payload(200 + rejected), result: .reject)
            graylistNotices += actions.filter { if case .graylisted = $0 { true } else { false } }.count
            rejected += 1
            #expect(rejected <= 10, "ten invalid messages must be enough to graylist")
            if rejected > 10 { return }
        }
        #expect(graylistNotices == 1)
        #expect(harness.router.score(of: Harness.peer(1))! >= thresholds.ban, "graylisted, not yet banned")
        let ignored = harness.receive(from: 1, GossipRPC(messages: [.init(topic: .votes, data: payload(300))]))
        #expect(ignored.validations.isEmpty)
        #expect(harness.router.counters.graylistedRPCs == 1)
        #expect(harness.message(from: 2, payload(300)).deliveries.count == 1, "other peers are still heard")
    }

    @Test("a graylisted peer that keeps sending is banned, refused while banned, and welcome after the ban")
    func banAndExpiry() {
        let config = GossipConfig()
        var harness = Self.meshed()
        for n in 0..<8 { harness.message(from: 1, payload(400 + n), result: .reject) }
        var banned: [GossipAction] = []
        for n in 0..<100 where banned.isEmpty {
            let actions = harness.receive(from: 1, GossipRPC(messages: [.init(topic: .votes, data: payload(500 + n))]))
            if actions.contains(.disconnect(Harness.peer(1), .banned)) { banned = actions }
        }
        let until = harness.router.nowNanoseconds + config.banDurationNanoseconds
        #expect(banned == [.banned(Harness.peer(1), untilNanoseconds: until), .disconnect(Harness.peer(1), .banned)])
        #expect(harness.router.isBanned(Harness.peer(1)))
        #expect(!harness.router.connectedPeers.contains(Harness.peer(1)))
        #expect(!harness.router.meshPeers(.votes).contains(Harness.peer(1)))
        #expect(harness.router.handle(.peerDisconnected(Harness.peer(1))).isEmpty)

        let refused: [GossipAction] = [.disconnect(Harness.peer(1), .banned)]
        #expect(harness.router.handle(.peerConnected(Harness.peer(1), outbound: true)) == refused)
        harness.heartbeat(after: config.banDurationNanoseconds / second - 1)
        #expect(harness.router.handle(.peerConnected(Harness.peer(1), outbound: true)) == refused)
        harness.heartbeat()
        #expect(!harness.router.isBanned(Harness.peer(1)))
        #expect(harness.connect(1).disconnects.isEmpty)
        #expect(harness.router.score(of: Harness.peer(1)) == 0, "the ban was the punishment: the score starts afresh")
    }

    @Test("below the gossip threshold a peer's IHAVE and IWANT are ignored; at 0 they are answered")
    func gossipThreshold() {
        var harness = Self.meshed()
        harness.publish(payload(600))
        let id = MessageID(topic: .votes, data: payload(601))
        let cached = MessageID(topic: .votes, data: payload(600))
        for n in 0..<4 { harness.message(from: 1, payload(700 + n), result: .reject) }
        #expect(harness.router.score(of: Harness.peer(1))! < PeerScoreThresholds().gossip)
        #expect(harness.receive(from: 1, GossipRPC(ihave: [.init(topic: .votes, ids: [id])])).isEmpty)
        #expect(harness.receive(from: 1, GossipRPC(iwant: [.init(ids: [cached])])).isEmpty)
        #expect(!harness.receive(from: 2, GossipRPC(ihave: [.init(topic: .votes, ids: [id])])).isEmpty)
        #expect(!harness.receive(from: 2, GossipRPC(iwant: [.init(ids: [cached])])).isEmpty)
    }

    @Test("a negative score is pruned from the mesh at the next heartbeat and not grafted back")
    func negativeScoreLeavesMesh() {
        var harness = Self.meshed()
        let peer = harness.router.meshPeers(.votes)[0]
        harness.message(from: Int(peer.bytes[0]), payload(800), result: .reject)
        let actions = harness.heartbeat()
        #expect(actions.prunedPeers.contains(peer))
        #expect(!harness.router.meshPeers(.votes).contains(peer))
        let regraft = harness.receive(from: Int(peer.bytes[0]), GossipRPC(graft: [.init(topic: .votes)]))
        #expect(regraft.prunedPeers == [peer])
    }

    @Test("malformed bytes are penalised and never trusted; the router keeps working")
    func malformedBytes() {
        var harness = Self.meshed()
        var generator = SeededGenerator(seed: 0xBAD_B17E5)
        let valid = Wire.encode(
            GossipRPC(messages: [.init(topic: .votes, data: payload(900))], graft: [.init(topic: .votes)])
        )
        var inputs: [[UInt8]] = [[], [0x02], [0x01], Array(valid.dropLast()), valid + [0]]
        for _ in 0..<300 {
            var mutated = valid
            mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            inputs.append(mutated)
            let length = Int.random(in: 0...64, using: &generator)
            inputs.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        var peer = 100
        harness.connect(peer)
        for input in inputs {
            if !harness.router.connectedPeers.contains(Harness.peer(peer)) {
                peer += 1
                harness.connect(peer)
            }
            let actions = harness.router.handle(.received(from: Harness.peer(peer), bytes: input))
            _ = harness.answer(actions, with: .accept)
        }
        #expect(harness.router.counters.malformedRPCs > 10)
        #expect(harness.router.counters.bans > 0, "a peer sending garbage is eventually banned")
        #expect(harness.message(from: 2, payload(901)).deliveries.count == 1)
    }

    @Test("one malformed RPC costs the malformed-RPC weight")
    func malformedPenalty() {
        let parameters = PeerScoreParameters()
        var harness = Harness()
        harness.connect(1)
        #expect(harness.router.handle(.received(from: Harness.peer(1), bytes: [0x01, 0xff])).isEmpty)
        #expect(harness.router.score(of: Harness.peer(1)) == parameters.malformedRPCWeight)
        #expect(harness.router.counters.malformedRPCs == 1)
    }

    @Test("scores decay each heartbeat and are kept across a reconnect")
    func decayAndRetention() {
        var harness = Harness()
        harness.connect(1)
        for n in 0..<3 { harness.message(from: 1, payload(1000 + n), result: .reject) }
        let penalised = harness.router.score(of: Harness.peer(1))!
        #expect(penalised == 9 * PeerScoreParameters().invalidMessageDeliveriesWeight)
        #expect(harness.router.handle(.peerDisconnected(Harness.peer(1))).isEmpty)
        harness.connect(1)
        #expect(harness.router.score(of: Harness.peer(1)) == penalised, "reconnecting does not clear a score")
        harness.heartbeat()
        let decayed = harness.router.score(of: Harness.peer(1))!
        #expect(decayed > penalised && decayed < 0)
    }

    @Test("time in the mesh (P1) raises a mesh peer's score, up to its cap")
    func timeInMesh() {
        let parameters = PeerScoreParameters()
        var harness = Harness()
        harness.connect(1)
        harness.heartbeat()
        #expect(harness.router.meshPeers(.votes) == [Harness.peer(1)])
        harness.heartbeat(after: 30)
        let score = harness.router.score(of: Harness.peer(1))!
        #expect(abs(score - 30 * parameters.timeInMeshWeight) < 1e-9)
        harness.heartbeat(after: 10_000)
        let capped = min(parameters.topicScoreCap, parameters.timeInMeshCap * parameters.timeInMeshWeight)
        #expect(harness.router.score(of: Harness.peer(1)) == capped)
    }

    @Test("peer exchange is followed only from peers scoring at least acceptPeerExchange")
    func peerExchangeThreshold() {
        var harness = Harness()
        harness.connect(1)
        harness.connect(2)
        let record = Self.record(of: 9)
        let prune = GossipRPC(prune: [.init(topic: .votes, backoffSeconds: 60, peers: [record])])
        #expect(harness.receive(from: 1, prune).isEmpty)
        for n in 0..<Int(PeerScoreThresholds().acceptPeerExchange) { harness.message(from: 2, payload(1100 + n)) }
        #expect(harness.receive(from: 2, prune) == [.peerExchange(from: Harness.peer(2), records: [record])])
    }

    @Test("PRUNEs we send carry the signed records of other peers of the topic")
    func prunesCarryRecords() {
        var harness = Harness()
        for number in 1...13 {
            harness.connect(number)
            _ = harness.router.handle(.peerRecord(Harness.peer(number), Self.record(of: number)))
        }
        for number in 1...12 { harness.receive(from: number, GossipRPC(graft: [.init(topic: .votes)])) }
        let refused = harness.receive(from: 13, GossipRPC(graft: [.init(topic: .votes)])).rpcs(to: Harness.peer(13))
        let records = refused.flatMap(\.prune).flatMap(\.peers)
        #expect(records.count == min(GossipConfig().peerExchangeRecordsMax, 12))
        #expect(records.allSatisfy { $0.signer != Harness.peer(13) && $0.kind == .peerRecord })
    }

    static func record(of number: Int) -> SignedEnvelope {
        let peerRecord = PeerRecord(
            nodeKey: Harness.peer(number), addresses: ["10.0.0.\(number):9000"], sequence: 1, unixMilliseconds: 0
        )
        return SignedEnvelope(
            chainId: "pouw-test", kind: .peerRecord, payload: Wire.encode(peerRecord), signer: Harness.peer(number),
            signature: Signature([UInt8](repeating: 0x5a, count: 64))
        )
    }
}
