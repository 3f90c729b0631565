import Foundation
import PoUWCore
import PoUWCrypto
import PoUWGossip
import PoUWNet
import PoUWNode
import PoUWUV
import Testing

/// Runs `body` on the loop thread and returns its result.
private func onLoop<T: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    try loop.submit {
        box.value = body()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Polls `condition` on the loop every 50 ms for up to `seconds`.
private func waitOnLoop(
    _ loop: EventLoop, seconds: Double, _ condition: @escaping @Sendable () -> Bool
) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try onLoop(loop, condition) { return true }
        usleep(50_000)
    }
    return try onLoop(loop, condition)
}

@Suite(.serialized) struct P2PNodeTests {
    static let chainId = "node-test"

    func makeNode(
        _ loop: EventLoop, bootnodes: [String] = [], peerBook: String? = nil, identity: KeyPair = KeyPair.generate(),
        port: UInt16 = 0
    ) -> P2PNode {
        var config = P2PConfig(chainId: Self.chainId, listen: SocketAddress(host: "127.0.0.1", port: port),
                               seed: UInt64.random(in: 0...UInt64.max))
        config.bootnodes = bootnodes
        config.peerBookPath = peerBook
        return P2PNode(identity: identity, config: config, loop: loop)
    }

    /// Two started nodes on one loop, the second dialling the first.
    func pair(_ loop: EventLoop, peerBook: String? = nil) throws -> (P2PNode, P2PNode) {
        let first = makeNode(loop, peerBook: peerBook)
        let port = try onLoop(loop) { () -> UInt16 in
            try? first.start()
            return first.listenPort ?? 0
        }
        let second = makeNode(loop, bootnodes: ["127.0.0.1:\(port)"])
        try onLoop(loop) { try? second.start() }
        let connected = try waitOnLoop(loop, seconds: 10) {
            first.connectedPeers == [second.identity.publicKey] && second.connectedPeers == [first.identity.publicKey]
        }
        #expect(connected)
        return (first, second)
    }

    @Test("a request is answered by the peer's handler over the same connection")
    func requestEcho() throws {
        let loop = EventLoop()
        loop.start()
        defer { loop.stop() }
        let (first, second) = try pair(loop)
        let answer = ResultBox<Result<[UInt8], P2PRequestError>>()
        try onLoop(loop) {
            first.requestHandler = { _, body in body.reversed() }
            second.request([1, 2, 3], to: first.identity.publicKey) { answer.value = $0 }
        }
        #expect(try waitOnLoop(loop, seconds: 10) { answer.value != nil })
        #expect(try onLoop(loop) { answer.value.map { try? $0.get() } } == [3, 2, 1])
    }

    @Test("a request without an answer times out; one to a stranger fails at once")
    func requestTimeoutAndStranger() throws {
        let loop = EventLoop()
        loop.start()
        defer { loop.stop() }
        let (first, second) = try pair(loop)
        let answer = ResultBox<Result<[UInt8], P2PRequestError>>()
        let stranger = ResultBox<Result<[UInt8], P2PRequestError>>()
        try onLoop(loop) {
            second.request([7], to: first.identity.publicKey, timeoutNanoseconds: 100_000_000) { answer.value = $0 }
            second.request([7], to: KeyPair.generate().publicKey) { stranger.value = $0 }
        }
        #expect(try waitOnLoop(loop, seconds: 10) { answer.value != nil })
        try onLoop(loop) {
            #expect(throws: P2PRequestError.timedOut) { try answer.value?.get() }
            #expect(throws: P2PRequestError.notConnected) { try stranger.value?.get() }
        }
    }

    @Test("a published message is delivered to the peer, not to the publisher")
    func publishDelivers() throws {
        let loop = EventLoop()
        loop.start()
        defer { loop.stop() }
        let (first, second) = try pair(loop)
        let received = ResultBox<[P2PMessage]>()
        received.value = []
        let published = try onLoop(loop) { () -> Hash32 in
            first.onDeliver = { received.value?.append($0) }
            second.onDeliver = { received.value?.append($0) }
            return second.publish(Array("hello".utf8))
        }
        #expect(try waitOnLoop(loop, seconds: 10) { received.value?.count == 1 })
        try onLoop(loop) {
            #expect(received.value?.first?.id == published)
            #expect(received.value?.first?.from == second.identity.publicKey)
        }
    }

    @Test("the peer book keeps verified records across restarts and its addresses are dialled")
    func peerBookPersists() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pouw-book-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/peers.bin"
        let loop = EventLoop()
        loop.start()
        defer { loop.stop() }
        let (first, second) = try pair(loop, peerBook: path)
        let secondPort = try onLoop(loop) { second.listenPort ?? 0 }
        // The record arrives by peer exchange after the connection is up; persist only once it is known.
        #expect(try waitOnLoop(loop, seconds: 10) { first.knownAddresses == ["127.0.0.1:\(secondPort)"] })
        try onLoop(loop) { first.shutdown() }
        #expect(FileManager.default.fileExists(atPath: path))
        let restarted = makeNode(loop, peerBook: path)
        try onLoop(loop) { try? restarted.start() }
        // Loaded from the book at start; peer exchange with `second` may already have added more.
        let known = try onLoop(loop) { restarted.knownAddresses }
        #expect(known.contains("127.0.0.1:\(secondPort)"))
        #expect(try waitOnLoop(loop, seconds: 10) { restarted.connectedPeers == [second.identity.publicKey] })
    }

    @Test("a peer whose messages the validator rejects is banned, disconnected, and refused when it redials")
    func rejectedMessagesBan() throws {
        let loop = EventLoop()
        loop.start()
        defer { loop.stop() }
        let (first, second) = try pair(loop)
        try onLoop(loop) {
            first.validator = { _ in .reject }
            for index in 0..<20 { second.publish(Array("spam \(index)".utf8)) }
        }
        #expect(try waitOnLoop(loop, seconds: 10) { first.connectedPeers.isEmpty && second.connectedPeers.isEmpty })
        // The second node dials its bootnode again after its backoff; the first refuses it.
        #expect(try waitOnLoop(loop, seconds: 15) { first.stats.connectionsRefused >= 1 })
        #expect(try onLoop(loop) { first.connectedPeers.isEmpty })
    }

    @Test("a node redials its bootnode after the bootnode restarts")
    func reconnectsAfterRestart() throws {
        let loop = EventLoop()
        loop.start()
        defer { loop.stop() }
        let (first, second) = try pair(loop)
        let port = try onLoop(loop) { () -> UInt16 in
            let port = first.listenPort ?? 0
            first.shutdown()
            return port
        }
        #expect(try waitOnLoop(loop, seconds: 10) { second.connectedPeers.isEmpty })
        let restarted = makeNode(loop, identity: first.identity, port: port)
        try onLoop(loop) { try? restarted.start() }
        #expect(try onLoop(loop) { restarted.listenPort } == port)
        #expect(try waitOnLoop(loop, seconds: 20) { second.connectedPeers == [first.identity.publicKey] })
    }
}
