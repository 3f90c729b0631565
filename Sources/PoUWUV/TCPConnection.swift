/// One TCP connection: reads delivered to a callback, writes through a bounded queue, one close.
internal import CLibUV

/// A connected TCP socket on the loop thread.
///
/// Reading: every chunk read is passed to `onRead` (no framing here). Writing: `send` writes what
/// the socket takes at once and queues the rest; `queuedBytes` is what waits, and `send` fails with
/// `.outboundQueueFull` once it reaches `TCPLimits.outboundQueueBytesMax` (backpressure: the caller
/// drops or waits). Closing: `onClose` runs exactly once, from a later loop iteration than the one
/// that closed it, with the first reason recorded; after it no callback runs again and both
/// callbacks are released (so closures may capture the connection).
///
/// All members must be used on the loop thread.
public final class TCPConnection: UVHandleOwner, @unchecked Sendable {
    let uvHandle: UVHandleMemory
    public let id: ConnectionID
    public let direction: ConnectionDirection
    public let remoteAddress: SocketAddress
    let transport: TCPTransport

    /// Receives each chunk read from the socket, in order.
    public var onRead: (([UInt8]) -> Void)?
    /// Receives the reason the connection closed, once.
    public var onClose: ((CloseReason) -> Void)?
    /// Bytes accepted by `send` and not yet written to the socket.
    public var queuedBytes: Int {
        loop.preconditionInLoop()
        return queued
    }

    private var queued = 0

    private enum State {
        case connecting
        case open
        /// Waiting for queued bytes to go out (`close(reason:flush: true)`), then closing.
        case flushing(CloseReason)
        case closing(CloseReason)
        case closed(CloseReason)
    }

    private var state = State.connecting
    private var isReadingPaused = false
    /// Dial only: the completion, and the failure to report if the socket closes before connecting.
    private var dialCompletion: ((Result<TCPConnection, TCPError>) -> Void)?
    private var dialFailure: TCPError?
    private var connectTimer: TimerID?
    private var flushTimer: TimerID?

    init(
        uvHandle: UVHandleMemory, id: ConnectionID, direction: ConnectionDirection, remoteAddress: SocketAddress,
        transport: TCPTransport
    ) {
        self.uvHandle = uvHandle
        self.id = id
        self.direction = direction
        self.remoteAddress = remoteAddress
        self.transport = transport
    }

    private var loop: EventLoop { transport.loop }
    private var stream: UnsafeMutablePointer<uv_stream_t> { uvHandle.typed() }

    /// Whether `send` may be called: connected and not closing.
    public var isOpen: Bool {
        loop.preconditionInLoop()
        if case .open = state { return true }
        return false
    }

    /// The reason it closed or is closing; nil while open.
    public var closeReason: CloseReason? {
        loop.preconditionInLoop()
        switch state {
        case .connecting, .open: return nil
        case .flushing(let reason), .closing(let reason), .closed(let reason): return reason
        }
    }

    /// Writes `bytes` after everything sent before. A write error later closes the connection
    /// (reported through `onClose`), so a successful return means "queued", not "delivered".
    /// - Throws: `.closed` unless open; `.outboundQueueFull` when `queuedBytes` has reached
    ///   `outboundQueueBytesMax` (nothing is queued then).
    public func send(_ bytes: [UInt8]) throws(TCPError) {
        loop.preconditionInLoop()
        guard case .open = state else { throw .closed }
        let limit = transport.limits.outboundQueueBytesMax
        guard queued < limit else { throw .outboundQueueFull(queuedBytes: queued, limit: limit) }
        precondition(bytes.count <= Int(UInt32.max), "one send is limited to 4 GiB")
        var written = 0
        if queued == 0 && !bytes.isEmpty {
            // Nothing waits: hand the socket what it takes now, and queue only the rest.
            let status = bytes.withUnsafeBytes { raw in
                var buffer = uv_buf_init(
                    UnsafeMutablePointer(mutating: raw.baseAddress!.assumingMemoryBound(to: CChar.self)),
                    UInt32(raw.count))
                return uv_try_write(stream, &buffer, 1)
            }
            if status >= 0 {
                written = Int(status)
            } else if status != UV_EAGAIN.rawValue {
                close(with: .failed(UVError(code: status)))
                return
            }
        }
        guard written < bytes.count else { return }
        let request = WriteRequest(connection: self, bytes: bytes[written...])
        var buffer = request.buffer
        let status = uv_write(request.request, stream, &buffer, 1, tcpWriteCallback)
        guard status == 0 else {
            request.release()
            close(with: .failed(UVError(code: status)))
            return
        }
        queued += request.byteCount
    }

    /// Closes the connection; `onClose` follows with `.local(reason)`. With `flush`, bytes already
    /// queued are sent first (waiting at most `TCPLimits.flushTimeoutNanoseconds`) and the peer sees
    /// an orderly end of stream; nothing more is read meanwhile. Closing again does nothing.
    public func close(reason: String, flush: Bool = false) {
        loop.preconditionInLoop()
        guard flush, case .open = state else {
            close(with: .local(reason))
            return
        }
        state = .flushing(.local(reason))
        uv_read_stop(stream)
        let request = ShutdownRequest(connection: self)
        guard uv_shutdown(request.request, stream, tcpShutdownCallback) == 0 else {
            request.release()
            finishFlushing()
            return
        }
        flushTimer = loop.schedule(after: transport.limits.flushTimeoutNanoseconds) { [self] in
            flushTimer = nil
            finishFlushing()
        }
    }

    /// Closes at once with `reason` unless already closing (the first reason wins).
    func close(with reason: CloseReason) {
        switch state {
        case .connecting:
            dialFailure = dialFailure ?? .closed
            closeHandle()
        case .open:
            state = .closing(reason)
            cancelTimers()
            closeHandle()
        case .flushing(let first):
            state = .closing(first)
            cancelTimers()
            closeHandle()
        case .closing, .closed:
            return
        }
    }

    func closeForLoopStop() {
        if case .connecting = state { dialFailure = .loopStopping }
        close(with: .loopStopped)
    }

    func handleDidClose() {
        cancelTimers()
        transport.unregister(self)
        switch state {
        case .connecting:
            state = .closed(.local("never connected"))
            let completion = dialCompletion
            dialCompletion = nil
            completion?(.failure(dialFailure ?? .closed))
        case .open, .flushing(_):
            preconditionFailure("\(id) closed without a reason")
        case .closing(let reason), .closed(let reason):
            state = .closed(reason)
            let onClose = self.onClose
            self.onClose = nil
            onRead = nil
            onClose?(reason)
        }
    }

    // MARK: Opening

    /// Marks an accepted socket open.
    func opened() {
        state = .open
        uv_tcp_nodelay(uvHandle.typed(), 1)
    }

    func connect(timeoutNanoseconds: UInt64, completion: @escaping (Result<TCPConnection, TCPError>) -> Void) {
        dialCompletion = completion
        let request = ConnectRequest(connection: self)
        let address = remoteAddress
        // The address was validated by `dial`.
        let status = (try? address.withSockaddr {
            uv_tcp_connect(request.request, uvHandle.typed(), $0, tcpConnectCallback)
        }) ?? UV_EINVAL.rawValue
        guard status == 0 else {
            request.release()
            dialFailure = .connectFailed(address, UVError(code: status))
            closeHandle()
            return
        }
        connectTimer = loop.schedule(after: timeoutNanoseconds) { [self] in
            connectTimer = nil
            dialFailure = .connectTimedOut(address)
            closeHandle()
        }
    }

    fileprivate func connectFinished(status: Int32) {
        guard case .connecting = state, !isClosing else { return }
        if let connectTimer { loop.cancel(connectTimer) }
        connectTimer = nil
        guard status == 0 else {
            dialFailure = .connectFailed(remoteAddress, UVError(code: status))
            closeHandle()
            return
        }
        opened()
        let completion = dialCompletion
        dialCompletion = nil
        completion?(.success(self))
        startReading()
    }

    /// Stops reading from the socket: the peer's bytes wait in the kernel, and once its buffers are
    /// full the peer's sends back up (TCP flow control). Pausing twice does nothing.
    public func pauseReading() {
        loop.preconditionInLoop()
        guard !isReadingPaused else { return }
        isReadingPaused = true
        if case .open = state { uv_read_stop(stream) }
    }

    /// Reads again after `pauseReading()`.
    public func resumeReading() {
        loop.preconditionInLoop()
        guard isReadingPaused else { return }
        isReadingPaused = false
        startReading()
    }

    /// Starts delivering reads to `onRead`, unless the connection was closed or paused meanwhile.
    func startReading() {
        guard case .open = state, !isReadingPaused else { return }
        let status = uv_read_start(stream, tcpAllocCallback, tcpReadCallback)
        if status != 0 { close(with: .failed(UVError(code: status))) }
    }

    // MARK: Callbacks

    fileprivate func received(_ bytes: UnsafeRawBufferPointer) {
        guard case .open = state else { return }
        onRead?(Array(bytes))
    }

    fileprivate func readFailed(_ error: UVError) {
        close(with: error.isEndOfFile ? .remoteClosed : .failed(error))
    }

    fileprivate func writeFinished(byteCount: Int, status: Int32) {
        queued -= byteCount
        precondition(queued >= 0, "\(id): more bytes written than queued")
        if status < 0 {
            let error = UVError(code: status)
            if !error.isCancellation { close(with: .failed(error)) }
        }
    }

    fileprivate func finishFlushing() {
        guard case .flushing(let reason) = state else { return }
        close(with: reason)
    }

    private func cancelTimers() {
        for timer in [connectTimer, flushTimer].compactMap({ $0 }) { loop.cancel(timer) }
        connectTimer = nil
        flushTimer = nil
    }
}

// MARK: - Requests

/// A `uv_write_t` and a copy of the bytes it writes, alive until the write callback.
private final class WriteRequest {
    let request = UnsafeMutablePointer<uv_write_t>.allocate(capacity: 1)
    let bytes: UnsafeMutableRawBufferPointer
    let connection: TCPConnection

    init(connection: TCPConnection, bytes: ArraySlice<UInt8>) {
        self.connection = connection
        self.bytes = .allocate(byteCount: bytes.count, alignment: 1)
        self.bytes.copyBytes(from: bytes)
        request.initialize(to: uv_write_t())
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    deinit {
        request.deallocate()
        bytes.deallocate()
    }

    var byteCount: Int { bytes.count }

    var buffer: uv_buf_t {
        uv_buf_init(bytes.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(bytes.count))
    }

    /// Drops the reference libuv would have held (the request was not started).
    func release() {
        Unmanaged<WriteRequest>.fromOpaque(request.pointee.data!).release()
    }
}

/// A `uv_connect_t`, alive until the connect callback.
private final class ConnectRequest {
    let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
    let connection: TCPConnection

    init(connection: TCPConnection) {
        self.connection = connection
        request.initialize(to: uv_connect_t())
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    deinit { request.deallocate() }

    func release() {
        Unmanaged<ConnectRequest>.fromOpaque(request.pointee.data!).release()
    }
}

/// A `uv_shutdown_t`, alive until the shutdown callback.
private final class ShutdownRequest {
    let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
    let connection: TCPConnection

    init(connection: TCPConnection) {
        self.connection = connection
        request.initialize(to: uv_shutdown_t())
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    deinit { request.deallocate() }

    func release() {
        Unmanaged<ShutdownRequest>.fromOpaque(request.pointee.data!).release()
    }
}

private func tcpAllocCallback(
    _ handle: UnsafeMutablePointer<uv_handle_t>?, _: Int, _ buffer: UnsafeMutablePointer<uv_buf_t>?
) {
    let readBuffer = TCPConnection.owner(of: handle).transport.readBuffer
    buffer!.pointee = uv_buf_init(readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(readBuffer.count))
}

private func tcpReadCallback(
    _ stream: UnsafeMutablePointer<uv_stream_t>?, _ count: Int, _ buffer: UnsafePointer<uv_buf_t>?
) {
    let connection = TCPConnection.owner(of: stream)
    if count > 0 {
        connection.received(UnsafeRawBufferPointer(start: buffer!.pointee.base, count: count))
    } else if count < 0 {
        connection.readFailed(UVError(code: Int32(count)))
    }
}

private func tcpWriteCallback(_ request: UnsafeMutablePointer<uv_write_t>?, _ status: Int32) {
    let write = Unmanaged<WriteRequest>.fromOpaque(request!.pointee.data!).takeRetainedValue()
    write.connection.writeFinished(byteCount: write.byteCount, status: status)
}

private func tcpConnectCallback(_ request: UnsafeMutablePointer<uv_connect_t>?, _ status: Int32) {
    let connect = Unmanaged<ConnectRequest>.fromOpaque(request!.pointee.data!).takeRetainedValue()
    connect.connection.connectFinished(status: status)
}

private func tcpShutdownCallback(_ request: UnsafeMutablePointer<uv_shutdown_t>?, _: Int32) {
    let shutdown = Unmanaged<ShutdownRequest>.fromOpaque(request!.pointee.data!).takeRetainedValue()
    shutdown.connection.finishFlushing()
}
