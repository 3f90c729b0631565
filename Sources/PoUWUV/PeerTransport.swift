/// Secure peer connections over a TCP transport: listen, dial, and one delegate for all peers.
public import PoUWCore
import PoUWNet

/// Runs a `PeerConnection` on every connection its listeners accept and every dial it makes, and
/// forwards their events to one delegate. `peers` holds the connections until they close.
///
/// Create it on any thread; call everything else on the loop thread. Keep a reference to it while
/// its connections should report events.
public final class PeerTransport: @unchecked Sendable {
    public let tcp: TCPTransport
    public let channels: ChannelFactory
    public let limits: PeerLimits
    public weak var delegate: (any PeerConnectionDelegate)?
    private let clock: any Clock
    private var connections: [ConnectionID: PeerConnection] = [:]
    private lazy var forwarder = Forwarder(transport: self)

    /// - Precondition: `limits.inboundBytesMax >= channels.config.frameBytesMax`, so that a frame of
    ///   the largest size can be received.
    public init(tcp: TCPTransport, channels: ChannelFactory, limits: PeerLimits = PeerLimits(),
                clock: any Clock = SystemClock()) {
        precondition(limits.inboundBytesMax >= channels.config.frameBytesMax,
                     "inboundBytesMax \(limits.inboundBytesMax) cannot hold a frame of "
                        + "\(channels.config.frameBytesMax) bytes")
        self.tcp = tcp
        self.channels = channels
        self.limits = limits
        self.clock = clock
    }

    /// Open peer connections (handshaking or established), by connection id.
    public var peers: [ConnectionID: PeerConnection] {
        tcp.loop.preconditionInLoop()
        return connections
    }

    /// Listens on `address`; each accepted connection runs the responder side of the handshake.
    /// - Throws: as `TCPTransport.listen`.
    public func listen(on address: SocketAddress) throws(TCPError) -> TCPListener {
        try tcp.listen(on: address) { [self] connection in adopt(connection, expectedPeer: nil) }
    }

    /// Dials `address` and runs the initiator side of the handshake, accepting only `expectedPeer`
    /// when given. `completion` reports the TCP outcome (the delegate hears the handshake's).
    /// - Throws: as `TCPTransport.dial`.
    public func dial(
        _ address: SocketAddress, expectedPeer: PublicKey? = nil,
        completion: ((Result<PeerConnection, TCPError>) -> Void)? = nil
    ) throws(TCPError) {
        try tcp.dial(address) { [self] result in
            let peer = result.map { adopt($0, expectedPeer: expectedPeer) }
            completion?(peer)
        }
    }

    @discardableResult
    private func adopt(_ connection: TCPConnection, expectedPeer: PublicKey?) -> PeerConnection {
        let peer = PeerConnection(
            connection: connection, channels: channels, expectedPeer: expectedPeer, limits: limits, clock: clock,
            delegate: forwarder)
        connections[peer.id] = peer
        return peer
    }

    /// Forwards every connection's events, and forgets connections that closed.
    private final class Forwarder: PeerConnectionDelegate {
        weak var transport: PeerTransport?

        init(transport: PeerTransport) { self.transport = transport }

        func peerConnectionEstablished(_ connection: PeerConnection) {
            transport?.delegate?.peerConnectionEstablished(connection)
        }

        func peerConnection(_ connection: PeerConnection, received frame: Frame) {
            transport?.delegate?.peerConnection(connection, received: frame)
        }

        func peerConnectionClosed(_ connection: PeerConnection, reason: CloseReason) {
            transport?.connections.removeValue(forKey: connection.id)
            transport?.delegate?.peerConnectionClosed(connection, reason: reason)
        }
    }
}
