import Dispatch
import Foundation
import PoUWCore
import PoUWCrypto
import PoUWNet
import PoUWUV
import Synchronization

/// How long a test waits for an event that normally takes milliseconds. Generous on purpose (the
/// tests also run under valgrind): it bounds a hang, it does not measure speed.
let eventWaitSeconds = 120.0

/// The loopback address all tests use.
func loopback(_ port: UInt16 = 0) -> SocketAddress { SocketAddress(host: "127.0.0.1", port: port) }

/// A value shared between the test's thread and loop threads.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value { storage.withLock { $0 } }

    @discardableResult
    func update<Result>(_ body: (inout Value) -> Result) -> Result {
        storage.withLock { body(&$0) }
    }
}

extension Shared where Value: RangeReplaceableCollection {
    func append(_ element: Value.Element) { update { $0.append(element) } }
}

/// Polls `condition` until it holds (true) or `eventWaitSeconds` pass (false).
func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(eventWaitSeconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(2_000)
    }
    return try condition()
}

/// Runs `body` on `loop`'s thread and returns what it returned or rethrows what it threw.
@discardableResult
func onLoop<T: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () throws -> T) throws -> T {
    let outcome = Shared<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    try loop.submit {
        outcome.update { $0 = Result { try body() } }
        done.signal()
    }
    guard done.wait(timeout: .now() + eventWaitSeconds) == .success, let result = outcome.value else {
        throw TestFailure("the loop thread did not run a submitted closure within \(eventWaitSeconds) s")
    }
    return try result.get()
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts `count` loops, runs `body`, and stops them whatever happens.
func withLoops(_ count: Int, _ body: ([EventLoop]) throws -> Void) throws {
    let loops = (0..<count).map { _ in EventLoop() }
    for loop in loops { loop.start() }
    defer { for loop in loops { loop.stop() } }
    try body(loops)
}

/// Deterministic, position-dependent bytes (cheap enough for megabytes).
func patternBytes(count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 9) &+ Int(seed)) }
}

/// Whether two byte arrays are equal, without the element-wise diff a failing `#expect(a == b)`
/// prints (quadratic for megabytes).
func same(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool { lhs == rhs }

/// Whether two frame lists are equal, without printing megabytes of payload on failure.
func same(_ lhs: [Frame], _ rhs: [Frame]) -> Bool { lhs == rhs }

/// A fixed identity per test role.
func identity(_ number: UInt8) -> KeyPair { KeyPair(seed: [UInt8](repeating: number, count: KeyPair.seedByteCount)) }

/// Channels for `identity` on the test chain.
func channels(
    _ identity: KeyPair, chainId: String = "pouw-test", frameBytesMax: Int = ChannelConfig.frameBytesMaxDefault,
    handshakeTimeoutNanoseconds: UInt64 = 20_000_000_000
) -> ChannelFactory {
    let config = ChannelConfig(chainId: chainId, frameBytesMax: frameBytesMax,
                               handshakeTimeoutNanoseconds: handshakeTimeoutNanoseconds)
    return ChannelFactory(config: config) { role, expectedPeer, now in
        SecureChannel(role: role, identity: identity, config: config, expectedPeer: expectedPeer,
                      nowNanoseconds: now, entropy: SystemEntropy())
    }
}

/// What a peer delegate saw.
enum PeerEvent: Sendable, Equatable {
    case established(ConnectionID, PublicKey)
    case frame(ConnectionID, Frame)
    case closed(ConnectionID, CloseReason)
}

/// Records every peer event; optionally pauses delivery on establishment.
final class RecordingDelegate: PeerConnectionDelegate, @unchecked Sendable {
    let events = Shared<[PeerEvent]>([])
    /// Set before connections exist; read on the loop thread only.
    var pauseDeliveryOnEstablished = false

    func peerConnectionEstablished(_ connection: PeerConnection) {
        if pauseDeliveryOnEstablished { connection.pauseDelivery() }
        events.append(.established(connection.id, connection.remotePeer!))
    }

    func peerConnection(_ connection: PeerConnection, received frame: Frame) {
        events.append(.frame(connection.id, frame))
    }

    func peerConnectionClosed(_ connection: PeerConnection, reason: CloseReason) {
        events.append(.closed(connection.id, reason))
    }

    var established: [(ConnectionID, PublicKey)] {
        events.value.compactMap { if case .established(let id, let key) = $0 { (id, key) } else { nil } }
    }

    var frames: [Frame] {
        events.value.compactMap { if case .frame(_, let frame) = $0 { frame } else { nil } }
    }

    var closeReasons: [CloseReason] {
        events.value.compactMap { if case .closed(_, let reason) = $0 { reason } else { nil } }
    }
}

/// A TCP connection's reads and close, recorded for the test thread.
final class ConnectionLog: Sendable {
    let received = Shared<[UInt8]>([])
    let closeReason = Shared<CloseReason?>(nil)

    /// Points `connection`'s callbacks here. Loop thread.
    func attach(_ connection: TCPConnection) {
        connection.onRead = { [received] bytes in received.update { $0 += bytes } }
        connection.onClose = { [closeReason] reason in closeReason.update { $0 = reason } }
    }
}
