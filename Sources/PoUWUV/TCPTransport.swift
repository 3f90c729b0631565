/// Listening and dialling on one event loop, with the connection limits enforced.
internal import CLibUV
import Synchronization

/// Names one connection in logs and maps; unique within the process.
public struct ConnectionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let number: UInt64

    private static let issued = Atomic<UInt64>(0)

    static func next() -> ConnectionID {
        ConnectionID(number: issued.add(1, ordering: .relaxed).newValue)
    }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool { lhs.number < rhs.number }

    public var description: String { "connection#\(number)" }
}

/// Who opened a connection: the peer (accepted by a listener) or this node (dialled).
public enum ConnectionDirection: Sendable, Equatable {
    case inbound, outbound
}

/// An accepted connection that was closed at once, and why.
public struct InboundRejection: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// `inboundConnectionsMax` accepted connections were open.
        case inboundLimit(max: Int)
        /// `inboundConnectionsPerHostMax` accepted connections from this IP were open.
        case perHostLimit(max: Int)
        /// `uv_accept` or reading the peer's address failed.
        case acceptFailed(UVError)
    }

    /// The peer, when its address could be read.
    public let remoteAddress: SocketAddress?
    public let reason: Reason

    public var description: String {
        let peer = remoteAddress.map { "\($0)" } ?? "unknown peer"
        return switch reason {
        case .inboundLimit(let max): "refused \(peer): \(max) inbound connections already open"
        case .perHostLimit(let max): "refused \(peer): \(max) inbound connections from its IP already open"
        case .acceptFailed(let error): "accepting \(peer) failed: \(error)"
        }
    }
}

/// TCP on one event loop: listeners, dials, and the count of open connections against `limits`.
///
/// Create it on any thread; call everything else on the loop thread. Connections and listeners
/// stay alive while their sockets are open (until closed, or until the loop stops), whether or not
/// the caller keeps a reference.
public final class TCPTransport: @unchecked Sendable {
    /// Bytes read from a socket per read callback; one buffer shared by all connections.
    public static let readChunkBytes = 64 * 1024

    public let loop: EventLoop
    public let limits: TCPLimits

    /// Called on the loop thread for each accepted connection closed at once (for the log).
    public var onInboundRejected: ((InboundRejection) -> Void)?
    private var inboundCount = 0
    private var outboundCount = 0
    private var rejectedCount = 0
    private var inboundPerHost: [String: Int] = [:]
    private var connections: [ConnectionID: TCPConnection] = [:]
    /// Where every read lands before it is copied out (reads are sequential on the loop thread).
    let readBuffer: UnsafeMutableRawBufferPointer

    public init(loop: EventLoop, limits: TCPLimits = TCPLimits()) {
        self.loop = loop
        self.limits = limits
        readBuffer = .allocate(byteCount: Self.readChunkBytes, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Accepted connections open now.
    public var inboundConnectionCount: Int {
        loop.preconditionInLoop()
        return inboundCount
    }

    /// Dialled connections, open or still connecting.
    public var outboundConnectionCount: Int {
        loop.preconditionInLoop()
        return outboundCount
    }

    /// Accepted connections closed at once since the transport was made (see `onInboundRejected`).
    public var rejectedInboundCount: Int {
        loop.preconditionInLoop()
        return rejectedCount
    }

    /// The open (or connecting) connection with this id.
    public func connection(_ id: ConnectionID) -> TCPConnection? {
        loop.preconditionInLoop()
        return connections[id]
    }

    /// Listens on `address` (port 0 picks a free port; the listener's `address` tells which).
    /// `onAccept` runs on the loop thread for each accepted connection within the limits, before any
    /// of its bytes are read: set `onRead` / `onClose` there.
    /// - Throws: `.invalidAddress`, `.listenFailed` (address in use, ...), `.loopStopping`.
    public func listen(
        on address: SocketAddress, backlog: Int32 = 128, onAccept: @escaping (TCPConnection) -> Void
    ) throws(TCPError) -> TCPListener {
        loop.preconditionInLoop()
        guard !loop.isClosingAll else { throw .loopStopping }
        let listener = TCPListener(transport: self, onAccept: onAccept)
        let status = uv_tcp_init(loop.uvLoop, listener.uvHandle.typed())
        precondition(status == 0, "uv_tcp_init failed: \(UVError(code: status))")
        listener.adopt()
        do throws(TCPError) {
            let bound = try address.withSockaddr { uv_tcp_bind(listener.uvHandle.typed(), $0, 0) }
            guard bound == 0 else { throw .listenFailed(address, UVError(code: bound)) }
            let listening = uv_listen(listener.uvHandle.typed(), backlog, tcpListenerConnectionCallback)
            guard listening == 0 else { throw .listenFailed(address, UVError(code: listening)) }
        } catch {
            listener.closeHandle()
            throw error
        }
        listener.address = localAddress(of: listener.uvHandle.typed()) ?? address
        return listener
    }

    /// Dials `address`. `completion` runs once on the loop thread, always after `dial` returned:
    /// with the open connection (set `onRead` / `onClose` there, before any byte is read), or with
    /// `.connectFailed`, `.connectTimedOut` (after `timeoutNanoseconds`, default
    /// `limits.connectTimeoutNanoseconds`) or `.loopStopping`.
    /// - Throws: `.invalidAddress`, `.outboundLimitReached`, `.loopStopping`: nothing was dialled.
    public func dial(
        _ address: SocketAddress, timeoutNanoseconds: UInt64? = nil,
        completion: @escaping (Result<TCPConnection, TCPError>) -> Void
    ) throws(TCPError) {
        loop.preconditionInLoop()
        guard !loop.isClosingAll else { throw .loopStopping }
        guard outboundCount < limits.outboundConnectionsMax else {
            throw .outboundLimitReached(max: limits.outboundConnectionsMax)
        }
        try address.withSockaddr { _ in }
        let memory = UVHandleMemory(type: UV_TCP)
        let status = uv_tcp_init(loop.uvLoop, memory.typed())
        precondition(status == 0, "uv_tcp_init failed: \(UVError(code: status))")
        let connection = TCPConnection(
            uvHandle: memory, id: .next(), direction: .outbound, remoteAddress: address, transport: self)
        connection.adopt()
        register(connection)
        connection.connect(timeoutNanoseconds: timeoutNanoseconds ?? limits.connectTimeoutNanoseconds,
                           completion: completion)
    }

    /// A listener's socket has a connection waiting.
    fileprivate func accept(on listener: TCPListener, status: Int32) {
        guard status == 0 else {
            reject(InboundRejection(remoteAddress: nil, reason: .acceptFailed(UVError(code: status))))
            return
        }
        let memory = UVHandleMemory(type: UV_TCP)
        let initialised = uv_tcp_init(loop.uvLoop, memory.typed())
        precondition(initialised == 0, "uv_tcp_init failed: \(UVError(code: initialised))")
        let accepted = uv_accept(listener.uvHandle.typed(), memory.typed())
        let remote = accepted == 0 ? peerAddress(of: memory.typed()) : nil
        let refusal: InboundRejection.Reason? =
            if accepted != 0 {
                .acceptFailed(UVError(code: accepted))
            } else if inboundCount >= limits.inboundConnectionsMax {
                .inboundLimit(max: limits.inboundConnectionsMax)
            } else if inboundPerHost[remote?.host ?? "", default: 0] >= limits.inboundConnectionsPerHostMax {
                .perHostLimit(max: limits.inboundConnectionsPerHostMax)
            } else {
                nil
            }
        if let refusal {
            let discarded = DiscardedSocket(uvHandle: memory)
            discarded.adopt()
            discarded.closeHandle()
            reject(InboundRejection(remoteAddress: remote, reason: refusal))
            return
        }
        let connection = TCPConnection(
            uvHandle: memory, id: .next(), direction: .inbound,
            remoteAddress: remote ?? SocketAddress(host: "", port: 0), transport: self)
        connection.adopt()
        register(connection)
        connection.opened()
        listener.onAccept?(connection)
        connection.startReading()
    }

    private func reject(_ rejection: InboundRejection) {
        rejectedCount += 1
        onInboundRejected?(rejection)
    }

    private func register(_ connection: TCPConnection) {
        connections[connection.id] = connection
        switch connection.direction {
        case .inbound:
            inboundCount += 1
            inboundPerHost[connection.remoteAddress.host, default: 0] += 1
        case .outbound:
            outboundCount += 1
        }
    }

    /// The connection's socket is closed: it no longer counts against the limits.
    func unregister(_ connection: TCPConnection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        switch connection.direction {
        case .inbound:
            inboundCount -= 1
            let host = connection.remoteAddress.host
            let remaining = inboundPerHost[host, default: 1] - 1
            inboundPerHost[host] = remaining > 0 ? remaining : nil
        case .outbound:
            outboundCount -= 1
        }
        precondition(inboundCount >= 0 && outboundCount >= 0, "connection counts went negative")
    }

    private func peerAddress(of tcp: UnsafeMutablePointer<uv_tcp_t>) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutableBytes(of: &storage) { raw in
            uv_tcp_getpeername(tcp, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return status == 0 ? SocketAddress(storage) : nil
    }

    private func localAddress(of tcp: UnsafeMutablePointer<uv_tcp_t>) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutableBytes(of: &storage) { raw in
            uv_tcp_getsockname(tcp, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return status == 0 ? SocketAddress(storage) : nil
    }
}

/// A listening socket. It listens until `close()` or until the loop stops, whether or not the
/// caller keeps a reference. Closing it leaves the connections it accepted open.
public final class TCPListener: UVHandleOwner, @unchecked Sendable {
    let uvHandle = UVHandleMemory(type: UV_TCP)
    fileprivate let transport: TCPTransport
    fileprivate var onAccept: ((TCPConnection) -> Void)?
    /// The bound address, with the port the system picked when asked for port 0.
    public fileprivate(set) var address = SocketAddress(host: "", port: 0)

    fileprivate init(transport: TCPTransport, onAccept: @escaping (TCPConnection) -> Void) {
        self.transport = transport
        self.onAccept = onAccept
    }

    /// The bound port.
    public var port: UInt16 { address.port }

    /// Whether it still accepts connections.
    public var isListening: Bool {
        transport.loop.preconditionInLoop()
        return !isClosing
    }

    /// Stops listening. Closing twice does nothing.
    public func close() {
        transport.loop.preconditionInLoop()
        closeHandle()
    }

    func handleDidClose() {
        onAccept = nil
    }
}

/// A socket accepted only to be closed (over a limit, or failed).
private final class DiscardedSocket: UVHandleOwner {
    let uvHandle: UVHandleMemory

    init(uvHandle: UVHandleMemory) { self.uvHandle = uvHandle }
}

private func tcpListenerConnectionCallback(_ server: UnsafeMutablePointer<uv_stream_t>?, _ status: Int32) {
    let listener = TCPListener.owner(of: server)
    guard !listener.isClosing else { return }
    listener.transport.accept(on: listener, status: status)
}
