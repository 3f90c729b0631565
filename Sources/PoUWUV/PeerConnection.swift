/// A TCP connection driving a secure channel: handshake, deadline, sealed sends, bounded delivery.
public import PoUWCore
public import PoUWNet

/// Receives a peer connection's events, on the loop thread.
public protocol PeerConnectionDelegate: AnyObject {
    /// The handshake completed; `connection.remotePeer` is the peer's proven identity. Comes before
    /// any frame.
    func peerConnectionEstablished(_ connection: PeerConnection)
    /// One decrypted frame, in the order the peer sent them.
    func peerConnection(_ connection: PeerConnection, received frame: Frame)
    /// The connection closed; comes exactly once, also for a connection whose handshake never
    /// completed. Frames received before the close and not yet delivered are delivered before it,
    /// unless delivery is paused (then they are discarded).
    func peerConnectionClosed(_ connection: PeerConnection, reason: CloseReason)
}

/// Why `PeerConnection.send` refused a frame. Nothing was sent and the channel is intact.
public enum PeerSendError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The handshake has not completed yet.
    case notEstablished
    /// The payload exceeds the channel's `frameBytesMax`.
    case frameTooLarge(bytes: Int, max: Int)
    /// The connection's outbound queue is full: the peer reads too slowly.
    case outboundQueueFull(queuedBytes: Int, limit: Int)
    /// The connection is closed or closing.
    case closed

    public var description: String {
        switch self {
        case .notEstablished:
            "handshake not complete: wait for peerConnectionEstablished before sending"
        case .frameTooLarge(let bytes, let max):
            "frame payload of \(bytes) bytes exceeds frameBytesMax \(max): split it or send less"
        case .outboundQueueFull(let queuedBytes, let limit):
            "outbound queue holds \(queuedBytes) bytes (limit \(limit)): the peer reads too slowly; "
                + "drop the frame or the peer"
        case .closed:
            "the peer connection is closed"
        }
    }
}

/// One TCP connection running a `SecureChannel`: the initiator side for a dialled connection, the
/// responder side for an accepted one.
///
/// - The handshake must finish within the channel's `handshakeTimeoutNanoseconds` (a timer checks);
///   any `ChannelError` (timeout, garbage, wrong chain, oversized frame, failed decryption) closes
///   the connection with `CloseReason.channel`.
/// - Frames are queued per peer, bounded by `PeerLimits`, and handed to the delegate at most
///   `deliveryBatchFramesMax` per loop turn; while the queue is full (the delegate paused delivery or
///   cannot keep up) new frames are dropped and counted in `droppedInboundFrames`.
///
/// It stays alive while its TCP connection is open. All members must be used on the loop thread.
public final class PeerConnection: @unchecked Sendable {
    public let connection: TCPConnection
    public let limits: PeerLimits
    public weak var delegate: (any PeerConnectionDelegate)?
    private var peer: PublicKey?
    private var dropped = 0

    private var channel: SecureChannel
    private let frameBytesMax: Int
    private let clock: any Clock
    private let handshakeDeadlineNanoseconds: Nanoseconds
    private var handshakeTimer: TimerID?
    private var inbound = FrameQueue()
    private var isDeliveryPaused = false
    private var isDeliveryScheduled = false
    private var isClosed = false

    /// Takes over `connection` (its `onRead` and `onClose`), starts the handshake and arms its
    /// deadline. `expectedPeer` (dialled connections) is the only identity accepted from the peer.
    /// - Precondition: on the loop thread; `connection` was just accepted or dialled.
    public init(
        connection: TCPConnection, channels: ChannelFactory, expectedPeer: PublicKey? = nil,
        limits: PeerLimits = PeerLimits(), clock: any Clock = SystemClock(),
        delegate: (any PeerConnectionDelegate)? = nil
    ) {
        connection.transport.loop.preconditionInLoop()
        precondition(connection.isOpen, "a PeerConnection needs an open TCP connection, \(connection.id) is not")
        let now = clock.monotonicNanoseconds()
        let role: ChannelRole = connection.direction == .outbound ? .initiator : .responder
        self.connection = connection
        self.limits = limits
        self.delegate = delegate
        self.clock = clock
        channel = channels.channel(role: role, expectedPeer: expectedPeer, nowNanoseconds: now)
        frameBytesMax = channels.config.frameBytesMax
        let (deadline, overflow) = now.addingReportingOverflow(channels.config.handshakeTimeoutNanoseconds)
        handshakeDeadlineNanoseconds = overflow ? .max : deadline
        connection.onRead = { [self] bytes in received(bytes) }
        connection.onClose = { [self] reason in transportClosed(reason) }
        armHandshakeTimer(afterNanoseconds: channels.config.handshakeTimeoutNanoseconds)
        let hello = channel.start()
        if !hello.isEmpty { write(hello) }
    }

    private var loop: EventLoop { connection.transport.loop }

    public var id: ConnectionID { connection.id }
    public var direction: ConnectionDirection { connection.direction }
    public var remoteAddress: SocketAddress { connection.remoteAddress }

    /// The peer's proven identity, once the handshake completed.
    public var remotePeer: PublicKey? {
        loop.preconditionInLoop()
        return peer
    }

    /// Frames dropped because the inbound queue was full.
    public var droppedInboundFrames: Int {
        loop.preconditionInLoop()
        return dropped
    }

    /// Whether the handshake completed and the connection is still open.
    public var isEstablished: Bool {
        loop.preconditionInLoop()
        return peer != nil && !isClosed && connection.isOpen
    }

    /// Frames received and waiting for the delegate.
    public var pendingInboundFrames: Int {
        loop.preconditionInLoop()
        return inbound.count
    }

    /// Seals `frame` and queues it after everything sent before.
    /// - Throws: `PeerSendError`; nothing is sent then, and the connection stays usable unless the
    ///   error is `.closed`.
    public func send(_ frame: Frame) throws(PeerSendError) {
        loop.preconditionInLoop()
        guard !isClosed, connection.isOpen else { throw .closed }
        guard peer != nil else { throw .notEstablished }
        guard frame.payload.count <= frameBytesMax else {
            throw .frameTooLarge(bytes: frame.payload.count, max: frameBytesMax)
        }
        // Checked before sealing: a refused frame must not use up a nonce.
        let limit = connection.transport.limits.outboundQueueBytesMax
        guard connection.queuedBytes < limit else {
            throw .outboundQueueFull(queuedBytes: connection.queuedBytes, limit: limit)
        }
        let sealed: [UInt8]
        do {
            sealed = try channel.seal(frame)
        } catch {
            fail(error)
            throw .closed
        }
        write(sealed)
    }

    /// Closes the connection; the delegate hears `peerConnectionClosed` with `.local(reason)`. With
    /// `flush`, frames already sent go out first (see `TCPConnection.close(reason:flush:)`).
    public func close(reason: String, flush: Bool = false) {
        loop.preconditionInLoop()
        connection.close(reason: reason, flush: flush)
    }

    /// Stops handing frames to the delegate; they wait in the bounded queue (and new ones are
    /// dropped once it is full) until `resumeDelivery()`.
    public func pauseDelivery() {
        loop.preconditionInLoop()
        isDeliveryPaused = true
    }

    /// Resumes handing frames to the delegate, starting with the oldest waiting.
    public func resumeDelivery() {
        loop.preconditionInLoop()
        isDeliveryPaused = false
        deliver()
    }

    // MARK: Driving the channel

    private func received(_ bytes: [UInt8]) {
        guard !isClosed else { return }
        let output: ChannelOutput
        do {
            output = try channel.receive(bytes, nowNanoseconds: clock.monotonicNanoseconds())
        } catch {
            fail(error)
            return
        }
        if !output.bytesToSend.isEmpty { write(output.bytesToSend) }
        if let peer = output.establishedPeer { established(peer) }
        for frame in output.frames { enqueue(frame) }
        deliver()
    }

    private func established(_ identity: PublicKey) {
        peer = identity
        if let handshakeTimer { loop.cancel(handshakeTimer) }
        handshakeTimer = nil
        guard !isClosed, connection.isOpen else { return }
        delegate?.peerConnectionEstablished(self)
    }

    /// Writes channel bytes; a full queue here (handshake replies, sealed frames already admitted)
    /// cannot be honoured without breaking the stream, so it closes the connection.
    private func write(_ bytes: [UInt8]) {
        do {
            try connection.send(bytes)
        } catch .closed {
            return
        } catch {
            connection.close(with: .local("\(error)"))
        }
    }

    private func fail(_ error: ChannelError) {
        connection.close(with: .channel(error))
    }

    private func armHandshakeTimer(afterNanoseconds delay: UInt64) {
        handshakeTimer = loop.schedule(after: delay) { [self] in
            handshakeTimer = nil
            checkHandshakeDeadline()
        }
    }

    private func checkHandshakeDeadline() {
        guard !isClosed, peer == nil else { return }
        let now = clock.monotonicNanoseconds()
        do {
            try channel.checkDeadline(nowNanoseconds: now)
        } catch {
            fail(error)
            return
        }
        // libuv's millisecond clock fired a little early: wait for the rest.
        if now < handshakeDeadlineNanoseconds {
            armHandshakeTimer(afterNanoseconds: handshakeDeadlineNanoseconds - now)
        }
    }

    // MARK: Delivery

    private func enqueue(_ frame: Frame) {
        guard inbound.count < limits.inboundFramesMax,
              inbound.payloadBytes + frame.payload.count <= limits.inboundBytesMax
        else {
            dropped += 1
            return
        }
        inbound.append(frame)
    }

    /// Hands up to `deliveryBatchFramesMax` frames to the delegate; schedules another turn for the rest.
    private func deliver() {
        var delivered = 0
        while delivered < limits.deliveryBatchFramesMax, !isDeliveryPaused, !isClosed, let frame = inbound.popFirst() {
            delivered += 1
            delegate?.peerConnection(self, received: frame)
        }
        guard !inbound.isEmpty, !isDeliveryPaused, !isClosed, !isDeliveryScheduled else { return }
        isDeliveryScheduled = true
        loop.schedule(after: 0) { [self] in
            isDeliveryScheduled = false
            deliver()
        }
    }

    private func transportClosed(_ reason: CloseReason) {
        if let handshakeTimer { loop.cancel(handshakeTimer) }
        handshakeTimer = nil
        while !isDeliveryPaused, let frame = inbound.popFirst() {
            delegate?.peerConnection(self, received: frame)
        }
        isClosed = true
        inbound.removeAll()
        delegate?.peerConnectionClosed(self, reason: reason)
    }
}
