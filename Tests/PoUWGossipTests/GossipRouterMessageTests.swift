import PoUWCore
import PoUWGossip
import PoUWWire
import Testing

/// Messages: validation, delivery, forwarding, duplicates, publishing and fanout.
extension GossipRouterTests {
    /// A router with peers 1...7 on `.votes` and a mesh formed by one heartbeat.
    static func meshed(config: GossipConfig = GossipConfig()) -> Harness {
        var harness = Harness(config: config)
        for number in 1...7 { harness.connect(number) }
        harness.heartbeat()
        return harness
    }

    @Test("a new message is validated first, then delivered and forwarded to the mesh except its source")
    func acceptedMessageIsDeliveredAndForwarded() {
        var harness = Self.meshed()
        let source = harness.router.meshPeers(.votes)[0]
        let sourceNumber = Int(source.bytes[0])
        let data = payload(1)
        let received = harness.receive(from: sourceNumber, GossipRPC(messages: [.init(topic: .votes, data: data)]))
        let id = MessageID(topic: .votes, data: data)
        #expect(received == [.validate(topic: .votes, messageID: id, data: data, from: source)])
        #expect(harness.router.pendingValidationCount == 1)

        let accepted = harness.router.handle(.validationResult(id, .accept))
        #expect(accepted.deliveries == [id])
        let expected = Set(harness.router.meshPeers(.votes)).subtracting([source])
        #expect(accepted.messageRecipients == expected)
        for peer in expected { #expect(accepted.messages(to: peer) == [.init(topic: .votes, data: data)]) }
        #expect(harness.router.pendingValidationCount == 0)
        #expect(harness.router.score(of: source)! > 0, "a first delivery earns P2")
    }

    @Test("a rejected message is neither delivered nor forwarded, and its sender is penalised")
    func rejectedMessageIsNotForwarded() {
        var harness = Self.meshed()
        let actions = harness.message(from: 1, payload(2), result: .reject)
        #expect(actions.validations.count == 1)
        #expect(actions.deliveries.isEmpty)
        #expect(actions.messageRecipients.isEmpty)
        #expect(harness.router.score(of: Harness.peer(1))! < 0)
        #expect(harness.router.counters.messagesRejected == 1)
    }

    @Test("an ignored message is dropped without penalty")
    func ignoredMessageIsDropped() {
        var harness = Self.meshed()
        let actions = harness.message(from: 1, payload(3), result: .ignore)
        #expect(actions.deliveries.isEmpty && actions.messageRecipients.isEmpty)
        #expect(harness.router.score(of: Harness.peer(1))! >= 0)
    }

    @Test("the seen cache stops duplicates: a second copy is not validated, delivered or forwarded")
    func seenCacheStopsDuplicates() {
        var harness = Self.meshed()
        let data = payload(4)
        let first = harness.message(from: 1, data)
        #expect(first.deliveries.count == 1)
        for number in [2, 3, 1] {
            let again = harness.message(from: number, data)
            #expect(again.isEmpty)
        }
        #expect(harness.router.counters.duplicateMessages == 3)
        #expect(harness.router.counters.messagesDelivered == 1)
    }

    @Test("the seen cache forgets an id after seenTTL, and the oldest id when full")
    func seenCacheExpiry() {
        var config = GossipConfig()
        var harness = Self.meshed(config: config)
        let data = payload(16)
        #expect(harness.message(from: 1, data).deliveries.count == 1)
        harness.heartbeat(after: config.seenTTLNanoseconds / second - 1)
        #expect(harness.message(from: 2, data).isEmpty)
        harness.heartbeat()
        #expect(harness.message(from: 2, data).deliveries.count == 1, "after seenTTL the message is new again")

        config.seenEntriesMax = 2
        var small = Self.meshed(config: config)
        for n in 17...19 { #expect(small.message(from: 1, payload(n)).deliveries.count == 1) }
        #expect(small.message(from: 2, payload(19)).isEmpty)
        #expect(small.message(from: 2, payload(17)).deliveries.count == 1, "the oldest id was evicted")
    }

    @Test("peers that send a copy while it is pending are not forwarded it, and share the reject penalty")
    func duplicateSendersDuringValidation() {
        var harness = Self.meshed()
        let mesh = harness.router.meshPeers(.votes).map { Int($0.bytes[0]) }
        let data = payload(5)
        let first = harness.receive(from: mesh[0], GossipRPC(messages: [.init(topic: .votes, data: data)]))
        #expect(harness.receive(from: mesh[1], GossipRPC(messages: [.init(topic: .votes, data: data)])).isEmpty)
        let accepted = harness.answer(first, with: .accept)
        let skipped: Set = [Harness.peer(mesh[0]), Harness.peer(mesh[1])]
        #expect(accepted.messageRecipients.isDisjoint(with: skipped))
        #expect(accepted.messageRecipients.count == mesh.count - 2)

        let other = payload(6)
        let second = harness.receive(from: mesh[2], GossipRPC(messages: [.init(topic: .votes, data: other)]))
        harness.receive(from: mesh[3], GossipRPC(messages: [.init(topic: .votes, data: other)]))
        _ = harness.answer(second, with: .reject)
        #expect(harness.router.score(of: Harness.peer(mesh[2]))! < 0)
        #expect(harness.router.score(of: Harness.peer(mesh[3]))! < 0)
    }

    @Test("messages on topics we do not subscribe to are dropped unvalidated")
    func unsubscribedTopicIsDropped() {
        var harness = Self.meshed()
        #expect(harness.message(from: 1, payload(7), topic: .receipts).isEmpty)
        #expect(harness.router.counters.unsubscribedMessages == 1)
    }

    @Test("a validation result for an unknown id, or one that timed out, changes nothing")
    func lateValidationResult() {
        let config = GossipConfig()
        var harness = Self.meshed()
        let actions = harness.receive(from: 1, GossipRPC(messages: [.init(topic: .votes, data: payload(8))]))
        #expect(harness.router.handle(.validationResult(MessageID(topic: .votes, data: payload(9)), .accept)).isEmpty)
        harness.heartbeat(after: config.validationTimeoutNanoseconds / second)
        #expect(harness.router.pendingValidationCount == 0)
        #expect(harness.answer(actions, with: .accept).isEmpty)
    }

    @Test("pending validations are bounded: beyond the limit new messages are dropped unseen")
    func pendingValidationsAreBounded() {
        var config = GossipConfig()
        config.pendingValidationsMax = 2
        var harness = Self.meshed(config: config)
        for n in 0..<3 { harness.receive(from: 1, GossipRPC(messages: [.init(topic: .votes, data: payload(n))])) }
        #expect(harness.router.pendingValidationCount == 2)
        #expect(harness.router.counters.validationQueueFullDrops == 1)
        let dropped = payload(2)
        _ = harness.router.handle(.validationResult(MessageID(topic: .votes, data: payload(0)), .accept))
        #expect(harness.message(from: 2, dropped).deliveries.count == 1, "a dropped message was not marked seen")
    }

    @Test("flood publishing sends our message to every peer of the topic at or above the publish threshold")
    func floodPublish() {
        var harness = Self.meshed()
        harness.connect(8, topics: [.proposals])
        for n in 0..<5 { harness.message(from: 1, payload(100 + n), result: .reject) }
        #expect(harness.router.score(of: Harness.peer(1))! < GossipConfig().thresholds.publish)
        let actions = harness.publish(payload(10))
        let expected = Set((2...7).map(Harness.peer))
        #expect(actions.messageRecipients == expected)
        #expect(harness.router.counters.messagesPublished == 1)
        #expect(harness.publish(payload(10)).isEmpty, "publishing the same message again does nothing")
    }

    @Test("without flood publishing, own messages go to the mesh; large ones skip the flood")
    func meshPublish() {
        var config = GossipConfig()
        config.floodPublishBytesMax = 100
        var harness = Self.meshed(config: config)
        let small = harness.publish(payload(11, bytes: 100))
        #expect(small.messageRecipients.count == 7)
        let large = harness.publish(payload(12, bytes: 101))
        #expect(large.messageRecipients == Set(harness.router.meshPeers(.votes)))
    }

    @Test("publishing to a topic we are not in uses a fanout of D peers that expires after fanoutTTL")
    func fanout() {
        var config = GossipConfig()
        config.floodPublish = false
        var harness = Harness(config: config, topics: [])
        for number in 1...9 { harness.connect(number, topics: [.receipts]) }
        let actions = harness.publish(payload(13), topic: .receipts)
        let fanout = Set(harness.router.fanoutPeers(.receipts))
        #expect(fanout.count == config.meshDegree)
        #expect(actions.messageRecipients == fanout)
        #expect(harness.publish(payload(14), topic: .receipts).messageRecipients == fanout, "the fanout is kept")
        harness.heartbeat(after: config.fanoutTTLNanoseconds / second - 1)
        #expect(harness.router.fanoutPeers(.receipts).count == config.meshDegree)
        harness.heartbeat(after: 1)
        #expect(harness.router.fanoutPeers(.receipts).isEmpty)
    }

    @Test("subscribing to a topic with a fanout turns the fanout into the mesh")
    func fanoutBecomesMesh() {
        var config = GossipConfig()
        config.floodPublish = false
        var harness = Harness(config: config, topics: [])
        for number in 1...9 { harness.connect(number, topics: [.receipts]) }
        harness.publish(payload(15), topic: .receipts)
        let fanout = harness.router.fanoutPeers(.receipts)
        let actions = harness.router.handle(.subscribe(.receipts))
        #expect(harness.router.meshPeers(.receipts) == fanout)
        #expect(actions.graftedPeers == Set(fanout))
        #expect(harness.router.fanoutPeers(.receipts).isEmpty)
    }
}
