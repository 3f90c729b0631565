import PoUWCore
import PoUWGossip
import PoUWWire
import Testing

/// The router's mesh maintenance (this file), message handling, gossip and scoring (the extensions
/// in the other GossipRouter*Tests files).
@Suite struct GossipRouterTests {
    @Test("connecting sends our subscriptions; the peer's announcement is recorded")
    func helloCarriesSubscriptions() {
        var harness = Harness(topics: [.votes, .proposals])
        let actions = harness.connect(1, topics: [.votes, .receipts])
        let hello = actions.rpcs(to: Harness.peer(1))
        #expect(hello.count == 1)
        let announced: [GossipRPC.Subscription] = [
            .init(topic: .proposals, subscribe: true), .init(topic: .votes, subscribe: true),
        ]
        #expect(hello.first?.subscriptions == announced)
        #expect(harness.router.topics(of: Harness.peer(1)) == [.votes, .receipts])
    }

    @Test("a heartbeat grafts up to D peers when the mesh is below D_lo")
    func heartbeatGraftsUpToD() {
        var harness = Harness()
        for number in 1...10 { harness.connect(number) }
        harness.connect(11, topics: [.proposals])
        let actions = harness.heartbeat()
        let mesh = Set(harness.router.meshPeers(.votes))
        #expect(mesh.count == GossipConfig().meshDegree)
        #expect(actions.graftedPeers == mesh)
        #expect(!mesh.contains(Harness.peer(11)), "a peer not in the topic is never grafted")
        // A mesh between D_lo and D_hi is left alone.
        #expect(harness.heartbeat().graftedPeers.isEmpty)
    }

    @Test("GRAFTs are accepted up to D_hi; a heartbeat prunes back to D and keeps D_out outbound peers")
    func pruneAboveDHighKeepsOutboundQuota() {
        let config = GossipConfig()
        var harness = Harness()
        for number in 1...16 { harness.connect(number) }
        for number in 17...19 { harness.connect(number, outbound: true) }
        var refused: Set<PublicKey> = []
        for number in 1...16 {
            refused.formUnion(harness.receive(from: number, GossipRPC(graft: [.init(topic: .votes)])).prunedPeers)
        }
        #expect(harness.router.meshPeers(.votes).count == config.meshDegreeHigh)
        #expect(refused.count == 16 - config.meshDegreeHigh, "inbound GRAFTs beyond D_hi are refused with PRUNE")
        for number in 17...19 { harness.receive(from: number, GossipRPC(graft: [.init(topic: .votes)])) }
        let meshSize = harness.router.meshPeers(.votes).count
        #expect(meshSize == config.meshDegreeHigh + 3, "outbound peers are always accepted")

        let before = Set(harness.router.meshPeers(.votes))
        let actions = harness.heartbeat()
        let after = Set(harness.router.meshPeers(.votes))
        #expect(after.count == config.meshDegree)
        #expect(actions.prunedPeers == before.subtracting(after))
        let outbound = after.filter { [17, 18, 19].map(Harness.peer).contains($0) }
        #expect(outbound.count >= config.meshOutboundMin)
    }

    @Test("a mesh with fewer than D_out outbound peers grafts outbound ones, even above D_lo")
    func outboundTopUp() {
        let config = GossipConfig()
        var harness = Harness()
        for number in 1...6 {
            harness.connect(number)
            harness.receive(from: number, GossipRPC(graft: [.init(topic: .votes)]))
        }
        for number in 7...9 { harness.connect(number, outbound: true) }
        #expect(harness.router.meshPeers(.votes).count == 6)
        let grafted = harness.heartbeat().graftedPeers
        #expect(grafted.count == config.meshOutboundMin)
        #expect(grafted.isSubset(of: Set((7...9).map(Harness.peer))))
        #expect(harness.router.meshPeers(.votes).count == 6 + config.meshOutboundMin)
    }

    @Test("a peer that pruned us is not grafted again until its backoff and slack have passed")
    func backoffIsRespected() {
        let config = GossipConfig()
        var harness = Harness()
        for number in 1...3 { harness.connect(number) }
        #expect(harness.heartbeat().graftedPeers.count == 3)
        harness.receive(from: 1, GossipRPC(prune: [.init(topic: .votes, backoffSeconds: 5)]))
        #expect(!harness.router.meshPeers(.votes).contains(Harness.peer(1)))
        let waitSeconds = 5 + config.backoffSlackNanoseconds / second
        for _ in 1..<waitSeconds {
            #expect(!harness.heartbeat().graftedPeers.contains(Harness.peer(1)))
        }
        #expect(harness.heartbeat().graftedPeers == [Harness.peer(1)])
        #expect(harness.router.meshPeers(.votes).contains(Harness.peer(1)))
    }

    @Test("a GRAFT during our backoff is refused with PRUNE and penalised until the score is negative")
    func graftDuringBackoffIsPenalised() {
        var harness = Harness()
        for number in 1...12 {
            harness.connect(number)
            harness.receive(from: number, GossipRPC(graft: [.init(topic: .votes)]))
        }
        harness.connect(13)
        #expect(harness.receive(from: 13, GossipRPC(graft: [.init(topic: .votes)])).prunedPeers == [Harness.peer(13)])
        #expect(harness.router.score(of: Harness.peer(13)) == 0)
        for _ in 1...4 {
            let actions = harness.receive(from: 13, GossipRPC(graft: [.init(topic: .votes)]))
            #expect(actions.prunedPeers == [Harness.peer(13)])
        }
        #expect(harness.router.score(of: Harness.peer(13))! < 0)
        #expect(!harness.router.meshPeers(.votes).contains(Harness.peer(13)))
    }

    @Test("a GRAFT for a topic we are not in is ignored")
    func graftForUnknownTopicIsIgnored() {
        var harness = Harness(topics: [.votes])
        harness.connect(1, topics: [.receipts])
        let actions = harness.receive(from: 1, GossipRPC(graft: [.init(topic: .receipts)]))
        #expect(actions.isEmpty)
        #expect(harness.router.meshPeers(.receipts).isEmpty)
    }

    @Test("unsubscribing announces it and prunes the whole mesh with the unsubscribe backoff")
    func unsubscribePrunesMesh() {
        let config = GossipConfig()
        var harness = Harness()
        for number in 1...5 { harness.connect(number) }
        harness.heartbeat()
        let mesh = Set(harness.router.meshPeers(.votes))
        let actions = harness.router.handle(.unsubscribe(.votes))
        #expect(actions.prunedPeers == mesh)
        for (_, rpc) in actions.sent {
            #expect(rpc.subscriptions == [.init(topic: .votes, subscribe: false)])
            for prune in rpc.prune {
                #expect(UInt64(prune.backoffSeconds) * second == config.unsubscribeBackoffNanoseconds)
            }
        }
        #expect(harness.router.meshPeers(.votes).isEmpty)
        #expect(actions.sent.count == 5, "every peer hears of the unsubscribe")
    }

    @Test("subscribing grafts D peers of the topic at once")
    func subscribeJoinsMesh() {
        var harness = Harness(topics: [])
        for number in 1...9 { harness.connect(number, topics: [.receipts]) }
        let actions = harness.router.handle(.subscribe(.receipts))
        #expect(harness.router.meshPeers(.receipts).count == GossipConfig().meshDegree)
        #expect(actions.graftedPeers == Set(harness.router.meshPeers(.receipts)))
    }

    @Test("a peer that disconnects leaves the mesh; a heartbeat grafts a replacement")
    func disconnectLeavesMesh() {
        var harness = Harness()
        for number in 1...7 { harness.connect(number) }
        harness.heartbeat()
        let mesh = harness.router.meshPeers(.votes)
        for peer in mesh.prefix(3) { _ = harness.router.handle(.peerDisconnected(peer)) }
        #expect(harness.router.meshPeers(.votes).count == 3)
        harness.heartbeat()
        #expect(harness.router.meshPeers(.votes).count == 4)
        #expect(harness.router.connectedPeers.count == 4)
    }

    @Test("subscriptions are announced again to every peer once per refresh interval")
    func subscriptionRefresh() {
        var config = GossipConfig()
        config.subscriptionRefreshIntervalNanoseconds = 5 * second
        var harness = Harness(config: config, topics: [.votes, .receipts])
        harness.connect(1, topics: [])
        harness.connect(2, topics: [])
        var refreshes: [Nanoseconds] = []
        for _ in 1...10 {
            let announced = harness.heartbeat().sent.filter { !$0.rpc.subscriptions.isEmpty }
            if !announced.isEmpty {
                #expect(Set(announced.map(\.to)) == [Harness.peer(1), Harness.peer(2)])
                #expect(announced.allSatisfy { $0.rpc.subscriptions.count == 2 })
                refreshes.append(harness.now)
            }
        }
        #expect(refreshes == [5 * second, 10 * second])
    }

    @Test("connections beyond peersMax are refused")
    func peerLimit() {
        var config = GossipConfig()
        config.peersMax = 3
        var harness = Harness(config: config)
        for number in 1...3 { #expect(harness.connect(number).disconnects.isEmpty) }
        let actions = harness.router.handle(.peerConnected(Harness.peer(4), outbound: true))
        #expect(actions == [.disconnect(Harness.peer(4), .tooManyPeers)])
        #expect(harness.router.connectedPeers.count == 3)
    }
}
