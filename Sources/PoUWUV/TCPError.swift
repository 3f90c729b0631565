/// What can go wrong with listening, dialling and sending, and why a connection ended.
public import PoUWNet

/// A failed TCP operation. Every message says what to do about it.
public enum TCPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The host is not a numeric IPv4 or IPv6 address.
    case invalidAddress(String)
    /// Binding or listening on the address failed (in use, not local, no permission).
    case listenFailed(SocketAddress, UVError)
    /// `outboundConnectionsMax` connections (open or being dialled) exist already.
    case outboundLimitReached(max: Int)
    /// The connection attempt failed (refused, unreachable, reset).
    case connectFailed(SocketAddress, UVError)
    /// The connection attempt did not complete within the connect timeout.
    case connectTimedOut(SocketAddress)
    /// The connection's outbound queue holds `queuedBytes` bytes, at or over `limit`: the peer
    /// reads slower than this node writes.
    case outboundQueueFull(queuedBytes: Int, limit: Int)
    /// The connection is closed or closing.
    case closed
    /// The event loop is stopping; no new sockets are opened.
    case loopStopping

    public var description: String {
        switch self {
        case .invalidAddress(let host):
            "\"\(host)\" is not a numeric IPv4 or IPv6 address: resolve host names before dialling"
        case .listenFailed(let address, let error):
            "cannot listen on \(address): \(error); pick another port or stop the process using it"
        case .outboundLimitReached(let max):
            "already \(max) outbound connections: close one or raise outboundConnectionsMax"
        case .connectFailed(let address, let error):
            "connecting to \(address) failed: \(error); check the address and that the peer runs"
        case .connectTimedOut(let address):
            "connecting to \(address) timed out: the host is down, filtered or overloaded; retry later"
        case .outboundQueueFull(let queuedBytes, let limit):
            "outbound queue holds \(queuedBytes) bytes (limit \(limit)): the peer reads too slowly; "
                + "wait for it to drain or drop the peer"
        case .closed:
            "the connection is closed: open a new one"
        case .loopStopping:
            "the event loop is stopping: no new connections"
        }
    }
}

/// Why a connection closed, as reported once by its close callback.
public enum CloseReason: Equatable, Sendable, CustomStringConvertible {
    /// This node closed it; the text says why.
    case local(String)
    /// The peer closed its end (end of stream).
    case remoteClosed
    /// Reading or writing failed (connection reset, broken pipe, ...).
    case failed(UVError)
    /// The secure channel on the connection failed: handshake, timeout, garbage, oversized frame.
    case channel(ChannelError)
    /// The event loop stopped with the connection open.
    case loopStopped

    public var description: String {
        switch self {
        case .local(let reason): "closed by this node: \(reason)"
        case .remoteClosed: "closed by the peer"
        case .failed(let error): "connection failed: \(error)"
        case .channel(let error): "secure channel failed: \(error)"
        case .loopStopped: "event loop stopped"
        }
    }
}
