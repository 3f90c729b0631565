import Foundation
import PoUWCore
import PoUWCrypto
import PoUWNet
import PoUWUV
import Testing

/// One side of a secure test link: its transport, what its delegate saw, and where it listens.
struct PeerSide {
    let loop: EventLoop
    let transport: PeerTransport
    let delegate: RecordingDelegate
    let port: UInt16

    /// A peer transport on `loop` for `identity`, listening on 127.0.0.1 when `listen` is set.
    static func make(
        loop: EventLoop, identity: KeyPair, channels factory: ChannelFactory? = nil,
        limits: PeerLimits = PeerLimits(), tcpLimits: TCPLimits = TCPLimits(), listen: Bool = true,
        pauseDeliveryOnEstablished: Bool = false
    ) throws -> PeerSide {
        let delegate = RecordingDelegate()
        delegate.pauseDeliveryOnEstablished = pauseDeliveryOnEstablished
        let transport = PeerTransport(tcp: TCPTransport(loop: loop, limits: tcpLimits),
                                      channels: factory ?? channels(identity), limits: limits)
        let port = try onLoop(loop) { () throws -> UInt16 in
            transport.delegate = delegate
            return listen ? try transport.listen(on: loopback()).port : 0
        }
        return PeerSide(loop: loop, transport: transport, delegate: delegate, port: port)
    }

    /// The one open peer connection.
    func onlyPeer() throws -> PeerConnection {
        guard let peer = try onLoop(loop, { transport.peers.values.first }) else {
            throw TestFailure("no open peer connection")
        }
        return peer
    }

    /// Dials `other` and waits until both ends completed the handshake.
    func connectEstablished(to other: PeerSide, expectedPeer: PublicKey?) throws {
        try onLoop(loop) { try transport.dial(loopback(other.port), expectedPeer: expectedPeer) }
        guard eventually({ delegate.established.count == 1 && other.delegate.established.count == 1 }) else {
            throw TestFailure(
                "the handshake did not complete: \(delegate.events.value) / \(other.delegate.events.value)")
        }
    }
}

@Suite struct PeerTransportTests {
    @Test("two loops establish secure channels, learn each other's identity and exchange frames both ways")
    func establishAndExchange() throws {
        let (alice, bob) = (identity(1), identity(2))
        var aliceSide: PeerSide?  // outlives the loops, so its delegate hears them stop
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: alice)
            let b = try PeerSide.make(loop: loops[1], identity: bob, listen: false)
            aliceSide = a
            try b.connectEstablished(to: a, expectedPeer: alice.publicKey)
            #expect(a.delegate.established.map(\.1) == [bob.publicKey])
            #expect(b.delegate.established.map(\.1) == [alice.publicKey])

            let sizes = [0, 1, 1_000, 65_514, 65_515, 65_536, 1 << 20, ChannelConfig.frameBytesMaxDefault]
            let types = FrameType.allCases
            let toA = sizes.enumerated().map { index, size in
                Frame(type: types[index % types.count], payload: patternBytes(count: size, seed: UInt8(index)))
            }
            let toB = toA.reversed().map { Frame(type: $0.type, payload: $0.payload.reversed()) }
            let peerAtB = try b.onlyPeer()
            let peerAtA = try a.onlyPeer()
            try onLoop(b.loop) {
                #expect(peerAtB.isEstablished && peerAtB.remotePeer == alice.publicKey)
                #expect(peerAtB.direction == .outbound)
                for frame in toA { try peerAtB.send(frame) }
            }
            try onLoop(a.loop) {
                #expect(peerAtA.direction == .inbound)
                for frame in toB { try peerAtA.send(frame) }
            }
            #expect(eventually { a.delegate.frames.count == toA.count && b.delegate.frames.count == toB.count })
            let (deliveredToA, deliveredToB) = (same(a.delegate.frames, toA), same(b.delegate.frames, toB))
            #expect(deliveredToA && deliveredToB)
            #expect(a.delegate.closeReasons.isEmpty && b.delegate.closeReasons.isEmpty)
        }
        // Alice's loop stopped first (withLoops stops them in order), closing her connection.
        #expect(aliceSide?.delegate.closeReasons == [.loopStopped])
    }

    @Test("a dialled peer that proves another identity than expected is dropped before frames flow")
    func unexpectedIdentity() throws {
        let (alice, bob, carol) = (identity(1), identity(2), identity(3))
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: alice)
            let b = try PeerSide.make(loop: loops[1], identity: bob, listen: false)
            try onLoop(b.loop) { try b.transport.dial(loopback(a.port), expectedPeer: carol.publicKey) }
            #expect(eventually { b.delegate.closeReasons.count == 1 && a.delegate.closeReasons.count == 1 })
            let expected = CloseReason.channel(.unexpectedPeer(expected: carol.publicKey, got: alice.publicKey))
            #expect(b.delegate.closeReasons == [expected])
            #expect(b.delegate.established.isEmpty && a.delegate.established.isEmpty)
            #expect(try onLoop(b.loop) { b.transport.peers.isEmpty })
        }
    }

    @Test("a peer on another chain is dropped with wrongChain")
    func wrongChain() throws {
        try withLoops(2) { loops in
            let a = try PeerSide.make(loop: loops[0], identity: identity(1))
            let b = try PeerSide.make(loop: loops[1], identity: identity(2),
                                      channels: channels(identity(2), chainId: "other-chain"), listen: false)
            try onLoop(b.loop) { try b.transport.dial(loopback(a.port)) }
            #expect(eventually { a.delegate.closeReasons.count == 1 && b.delegate.closeReasons.count == 1 })
            #expect(a.delegate.closeReasons == [.channel(.wrongChain(expected: "pouw-test", got: "other-chain"))])
        }
    }
}
