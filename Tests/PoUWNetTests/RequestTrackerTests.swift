import PoUWCore
import PoUWNet
import Testing

@Suite("RequestTracker")
struct RequestTrackerTests {
    typealias Tracker = RequestTracker<String, String>

    static let config = RequestTrackerConfig(
        inFlightPerPeerMax: 2, inFlightMax: 3, timeoutNanoseconds: 100, responseBytesMax: 1_000)

    @Test("ids are fresh and increasing; an answer from the right peer ends its request")
    func answered() throws {
        var tracker = Tracker(config: Self.config)
        let first = try tracker.begin(peer: "a", context: "block 1", nowNanoseconds: 0)
        let second = try tracker.begin(peer: "b", context: "block 2", nowNanoseconds: 0)
        #expect(first < second)
        #expect(tracker.inFlight == 2 && tracker.inFlight(peer: "a") == 1)
        guard case .answered(let context) = try tracker.complete(first, from: "a", responseBytes: 1_000) else {
            Issue.record("an answer within bounds should be accepted")
            return
        }
        #expect(context == "block 1")
        #expect(tracker.inFlight == 1 && tracker.inFlight(peer: "a") == 0)
        #expect(throws: RequestError.unknownRequest(first)) { try tracker.complete(first, from: "a", responseBytes: 1) }
        let third = try tracker.begin(peer: "a", context: "block 3", nowNanoseconds: 0)
        #expect(third > second)
    }

    @Test("an answer from another peer is refused and leaves the request waiting")
    func wrongPeer() throws {
        var tracker = Tracker(config: Self.config)
        let id = try tracker.begin(peer: "a", context: "x", nowNanoseconds: 0)
        #expect(throws: RequestError.wrongPeer(id)) { try tracker.complete(id, from: "b", responseBytes: 1) }
        #expect(tracker.inFlight(peer: "a") == 1)
        #expect(throws: RequestError.unknownRequest(RequestId(rawValue: 99))) {
            try tracker.complete(RequestId(rawValue: 99), from: "a", responseBytes: 1)
        }
    }

    @Test("an answer over the size bound ends the request as oversized; the bound can be set per request")
    func oversized() throws {
        var tracker = Tracker(config: Self.config)
        let id = try tracker.begin(peer: "a", context: "big", nowNanoseconds: 0)
        let outcome = try tracker.complete(id, from: "a", responseBytes: 1_001)
        guard case .oversized(let context, let bytes, let max) = outcome else {
            Issue.record("an answer of 1,001 bytes exceeds the bound of 1,000")
            return
        }
        #expect(context == "big" && bytes == 1_001 && max == 1_000)
        #expect(tracker.inFlight == 0)
        let small = try tracker.begin(peer: "a", context: "small", nowNanoseconds: 0, responseBytesMax: 10)
        guard case .oversized = try tracker.complete(small, from: "a", responseBytes: 11) else {
            Issue.record("the per-request bound of 10 bytes should apply")
            return
        }
    }

    @Test("per-peer and total in-flight bounds refuse new requests until one ends")
    func bounds() throws {
        var tracker = Tracker(config: Self.config)
        let first = try tracker.begin(peer: "a", context: "1", nowNanoseconds: 0)
        _ = try tracker.begin(peer: "a", context: "2", nowNanoseconds: 0)
        #expect(throws: RequestError.peerBusy(inFlight: 2)) {
            try tracker.begin(peer: "a", context: "3", nowNanoseconds: 0)
        }
        _ = try tracker.begin(peer: "b", context: "4", nowNanoseconds: 0)
        #expect(throws: RequestError.trackerFull(inFlight: 3)) {
            try tracker.begin(peer: "c", context: "5", nowNanoseconds: 0)
        }
        _ = try tracker.complete(first, from: "a", responseBytes: 0)
        _ = try tracker.begin(peer: "a", context: "6", nowNanoseconds: 0)
        #expect(tracker.inFlight == 3)
    }

    @Test("requests time out at their deadline, earliest first, and late answers are unknown")
    func timeouts() throws {
        var tracker = Tracker(config: Self.config)
        let late = try tracker.begin(peer: "a", context: "late", nowNanoseconds: 50)              // deadline 150
        let early = try tracker.begin(peer: "b", context: "early", nowNanoseconds: 10)            // deadline 110
        let custom = try tracker.begin(peer: "a", context: "custom", nowNanoseconds: 0, timeoutNanoseconds: 1_000)
        #expect(tracker.nextDeadlineNanoseconds == 110)
        #expect(tracker.expire(nowNanoseconds: 109).isEmpty)
        #expect(tracker.expire(nowNanoseconds: 150).map(\.id) == [early, late])
        #expect(tracker.nextDeadlineNanoseconds == 1_000)
        #expect(throws: RequestError.unknownRequest(early)) { try tracker.complete(early, from: "b", responseBytes: 1) }
        #expect(tracker.inFlight(peer: "a") == 1 && tracker.inFlight(peer: "b") == 0)
        let ended = tracker.expire(nowNanoseconds: .max)
        #expect(ended.map(\.id) == [custom] && ended.map(\.context) == ["custom"] && ended.map(\.peer) == ["a"])
        #expect(tracker.nextDeadlineNanoseconds == nil)
    }

    @Test("a deadline past the end of time saturates instead of wrapping")
    func saturatedDeadline() throws {
        var tracker = Tracker(config: Self.config)
        _ = try tracker.begin(peer: "a", context: "x", nowNanoseconds: .max - 5)
        #expect(tracker.nextDeadlineNanoseconds == .max)
        #expect(tracker.expire(nowNanoseconds: .max - 1).isEmpty)
    }

    @Test("removing a peer ends exactly its requests")
    func removePeer() throws {
        var tracker = Tracker(config: Self.config)
        let one = try tracker.begin(peer: "a", context: "1", nowNanoseconds: 0)
        let two = try tracker.begin(peer: "b", context: "2", nowNanoseconds: 0)
        let three = try tracker.begin(peer: "a", context: "3", nowNanoseconds: 0)
        #expect(tracker.removeAll(peer: "a").map(\.id) == [one, three])
        #expect(tracker.inFlight == 1 && tracker.inFlight(peer: "a") == 0)
        #expect(tracker.removeAll(peer: "a").isEmpty)
        #expect(tracker.expire(nowNanoseconds: 100).map(\.id) == [two])
    }

    @Test("a seeded random schedule keeps the counts consistent and ends every request once")
    func randomSchedule() throws {
        var tracker = RequestTracker<Int, Int>(config: RequestTrackerConfig(
            inFlightPerPeerMax: 4, inFlightMax: 20, timeoutNanoseconds: 50, responseBytesMax: 100))
        var generator = SeededGenerator(seed: 7)
        var waiting = [RequestId: Int]()
        var begun = 0
        var ended = 0
        for now in UInt64(0)..<5_000 {
            let peer = Int.random(in: 0..<8, using: &generator)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<5:
                if let id = try? tracker.begin(peer: peer, context: begun, nowNanoseconds: now) {
                    waiting[id] = peer
                    begun += 1
                }
            case 5..<8:
                if let (id, owner) = waiting.randomElement(using: &generator) {
                    _ = try tracker.complete(id, from: owner, responseBytes: Int.random(in: 0...200, using: &generator))
                    waiting[id] = nil
                    ended += 1
                }
            case 8:
                for request in tracker.removeAll(peer: peer) {
                    #expect(waiting.removeValue(forKey: request.id) == peer)
                    ended += 1
                }
            default:
                for request in tracker.expire(nowNanoseconds: now) {
                    #expect(waiting.removeValue(forKey: request.id) != nil)
                    ended += 1
                }
            }
            #expect(tracker.inFlight == waiting.count)
            #expect(tracker.inFlight <= 20)
            #expect((0..<8).allSatisfy { tracker.inFlight(peer: $0) <= 4 })
        }
        #expect(begun == ended + waiting.count && begun > 1_000)
    }
}
