import Foundation
import PoUWCore
import PoUWCrypto
import PoUWNet
import PoUWUV
import Testing

@Suite struct PeerConnectionTests {
    /// Opens a plain TCP connection (no secure channel) from `loop` to 127.0.0.1:`port`.
    private func rawConnection(on loop: EventLoop, to port: UInt16) throws -> (TCPConnection, ConnectionLog) {
        let transport = TCPTransport(loop: loop)
        let log = ConnectionLog()
        let opened = Shared<TCPConnection?>(nil)
        try onLoop(loop) {
            try transport.dial(loopback(port)) { result in
                guard let connection = try? result.get() else { return }
                log.attach(connection)
                opened.update { $0 = connection }
            }
        }
        guard eventually({ opened.value != nil }), let connection = opened.value else {
            throw TestFailure("the raw connection did not open")
        }
        return (connection, log)
    }

    @Test("a peer that connects and never speaks is dropped at the handshake deadline")
    func silentPeerTimesOut() throws {
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1),
                                      channels: channels(identity(1), handshakeTimeoutNanoseconds: 200_000_000))
            let (_, log) = try rawConnection(on: loops[1], to: a.port)
            #expect(eventually { a.delegate.closeReasons.count == 1 && log.closeReason.value != nil })
            #expect(a.delegate.closeReasons == [.channel(.handshakeTimeout)])
            #expect(log.closeReason.value == .remoteClosed)
            #expect(log.received.value.isEmpty)
        }
    }

    @Test("a peer sending garbage instead of a handshake is dropped at once")
    func garbageIsDropped() throws {
        let garbage: [[UInt8]] = [
            [0x00, 0x10] + patternBytes(count: 16, seed: 1),  // a Noise message too short for a key
            [0x00, 0x40] + patternBytes(count: 64, seed: 2),  // a key and a bogus chain id
            [0xFF, 0xFF] + patternBytes(count: 65_535, seed: 3),  // the longest Noise message, all noise
        ]
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1))
            for bytes in garbage {
                let (connection, log) = try rawConnection(on: loops[1], to: a.port)
                try onLoop(loops[1]) { try connection.send(bytes) }
                #expect(eventually { log.closeReason.value != nil })
            }
            #expect(eventually { a.delegate.closeReasons.count == garbage.count })
            for reason in a.delegate.closeReasons {
                guard case .channel(let error) = reason, error != .handshakeTimeout else {
                    Issue.record("expected a channel error other than a timeout, got \(reason)")
                    continue
                }
            }
            #expect(a.delegate.established.isEmpty)
        }
    }

    @Test("a frame over the receiver's frameBytesMax closes the connection")
    func oversizedFrame() throws {
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1),
                                      channels: channels(identity(1), frameBytesMax: 1_024))
            let b = try PeerSide.make(loop: loops[1], identity: identity(2),
                                      channels: channels(identity(2), frameBytesMax: 4_096), listen: false)
            try b.connectEstablished(to: a, expectedPeer: nil)
            let fits = Frame(type: .gossip, payload: patternBytes(count: 1_024, seed: 1))
            let peerAtB = try b.onlyPeer()
            // Separately: a receive that fails discards the frames it opened before the failure.
            try onLoop(b.loop) { try peerAtB.send(fits) }
            #expect(eventually { a.delegate.frames.count == 1 })
            try onLoop(b.loop) { try peerAtB.send(Frame(type: .gossip, payload: patternBytes(count: 2_048, seed: 2))) }
            #expect(eventually { a.delegate.closeReasons.count == 1 && b.delegate.closeReasons.count == 1 })
            #expect(a.delegate.frames == [fits])
            #expect(a.delegate.closeReasons == [.channel(.frameTooLarge(bytes: 2_048, max: 1_024))])
        }
    }

    @Test("while delivery is paused, frames beyond inboundFramesMax are dropped and counted; the rest follow in order")
    func inboundFrameBound() throws {
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1),
                                      limits: PeerLimits(inboundFramesMax: 10, deliveryBatchFramesMax: 3),
                                      pauseDeliveryOnEstablished: true)
            let b = try PeerSide.make(loop: loops[1], identity: identity(2), listen: false)
            try b.connectEstablished(to: a, expectedPeer: nil)
            let frames = (0..<50).map { Frame(type: .gossip, payload: [UInt8($0)]) }
            let peerAtB = try b.onlyPeer()
            try onLoop(b.loop) { for frame in frames { try peerAtB.send(frame) } }
            let peerAtA = try a.onlyPeer()
            #expect(eventually {
                (try? onLoop(a.loop) { peerAtA.droppedInboundFrames + peerAtA.pendingInboundFrames }) == 50
            })
            #expect(try onLoop(a.loop) { (peerAtA.pendingInboundFrames, peerAtA.droppedInboundFrames) } == (10, 40))
            #expect(a.delegate.frames.isEmpty)
            try onLoop(a.loop) { peerAtA.resumeDelivery() }
            #expect(eventually { a.delegate.frames.count == 10 })
            #expect(a.delegate.frames == Array(frames.prefix(10)))
            #expect(try onLoop(a.loop) { peerAtA.pendingInboundFrames } == 0)
        }
    }

    @Test("frames beyond inboundBytesMax are dropped while delivery is paused")
    func inboundByteBound() throws {
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1),
                                      channels: channels(identity(1), frameBytesMax: 256),
                                      limits: PeerLimits(inboundBytesMax: 350), pauseDeliveryOnEstablished: true)
            let b = try PeerSide.make(loop: loops[1], identity: identity(2), listen: false)
            try b.connectEstablished(to: a, expectedPeer: nil)
            let frames = (0..<5).map { Frame(type: .request, payload: patternBytes(count: 100, seed: UInt8($0))) }
            let peerAtB = try b.onlyPeer()
            try onLoop(b.loop) { for frame in frames { try peerAtB.send(frame) } }
            let peerAtA = try a.onlyPeer()
            #expect(eventually {
                (try? onLoop(a.loop) { peerAtA.droppedInboundFrames + peerAtA.pendingInboundFrames }) == 5
            })
            #expect(try onLoop(a.loop) { (peerAtA.pendingInboundFrames, peerAtA.droppedInboundFrames) } == (3, 2))
            try onLoop(a.loop) { peerAtA.resumeDelivery() }
            #expect(eventually { a.delegate.frames.count == 3 })
            #expect(a.delegate.frames == Array(frames.prefix(3)))
        }
    }

    @Test("sends before the handshake or over frameBytesMax are refused and leave the channel working")
    func refusedSends() throws {
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1))
            let b = try PeerSide.make(loop: loops[1], identity: identity(2),
                                      channels: channels(identity(2), frameBytesMax: 4_096), listen: false)
            let early = Shared<PeerSendError?>(nil)
            try onLoop(b.loop) {
                try b.transport.dial(loopback(a.port)) { result in
                    guard let peer = try? result.get() else { return }
                    do throws(PeerSendError) {
                        try peer.send(Frame(type: .ping, payload: []))
                    } catch {
                        early.update { $0 = error }
                    }
                }
            }
            #expect(eventually { b.delegate.established.count == 1 && a.delegate.established.count == 1 })
            #expect(early.value == .notEstablished)
            let peerAtB = try b.onlyPeer()
            #expect(throws: PeerSendError.frameTooLarge(bytes: 5_000, max: 4_096)) {
                let tooLarge = Frame(type: .gossip, payload: [UInt8](repeating: 1, count: 5_000))
                try onLoop(b.loop) { try peerAtB.send(tooLarge) }
            }
            let after = Frame(type: .pong, payload: [1, 2, 3])
            try onLoop(b.loop) { try peerAtB.send(after) }
            #expect(eventually { a.delegate.frames == [after] })
            #expect(a.delegate.closeReasons.isEmpty && b.delegate.closeReasons.isEmpty)
        }
    }

    @Test("a full outbound queue refuses frames without breaking the stream; queued frames arrive once the peer reads")
    func outboundQueueFull() throws {
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1))
            let b = try PeerSide.make(loop: loops[1], identity: identity(2),
                                      tcpLimits: TCPLimits(outboundQueueBytesMax: 1 << 20), listen: false)
            try b.connectEstablished(to: a, expectedPeer: nil)
            let peerAtA = try a.onlyPeer()
            try onLoop(a.loop) { peerAtA.connection.pauseReading() }
            let peerAtB = try b.onlyPeer()
            let (sent, refusal) = try onLoop(b.loop) { () -> ([Frame], PeerSendError?) in
                var sent: [Frame] = []
                while sent.count < 1_000 {
                    let payload = [UInt8](repeating: UInt8(truncatingIfNeeded: sent.count), count: 256 * 1024)
                    let frame = Frame(type: .response, payload: payload)
                    do throws(PeerSendError) {
                        try peerAtB.send(frame)
                        sent.append(frame)
                    } catch {
                        return (sent, error)
                    }
                }
                return (sent, nil)
            }
            guard case .outboundQueueFull(_, let limit) = refusal else {
                Issue.record("expected outboundQueueFull, got \(String(describing: refusal))")
                return
            }
            #expect(limit == 1 << 20)
            try onLoop(a.loop) { peerAtA.connection.resumeReading() }
            #expect(eventually { a.delegate.frames.count == sent.count })
            let delivered = same(a.delegate.frames, sent)
            #expect(delivered)
            let after = Frame(type: .ping, payload: [9])
            try onLoop(b.loop) { try peerAtB.send(after) }
            #expect(eventually { a.delegate.frames.last == after })
            #expect(a.delegate.closeReasons.isEmpty)
        }
    }
}
