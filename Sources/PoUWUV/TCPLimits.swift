/// The bounds of one TCP transport.

/// Connection counts, queue sizes and timeouts of a `TCPTransport`. Every bound is enforced, not
/// advisory: connections over a count are refused, sends over the queue fail.
public struct TCPLimits: Sendable, Equatable {
    /// Most accepted connections open at once; more are accepted and closed at once.
    public var inboundConnectionsMax: Int
    /// Most accepted connections open at once from one IP address.
    public var inboundConnectionsPerHostMax: Int
    /// Most dialled connections, open or being dialled, at once.
    public var outboundConnectionsMax: Int
    /// Bytes a connection may hold waiting for the socket before `send` fails with
    /// `.outboundQueueFull`. The check is made before each send, so the queue can exceed the
    /// limit by at most one message.
    public var outboundQueueBytesMax: Int
    /// How long a dial may take before it fails with `.connectTimedOut`, in nanoseconds.
    public var connectTimeoutNanoseconds: UInt64
    /// How long `close(reason:flush: true)` waits for queued bytes to reach the peer, in nanoseconds.
    public var flushTimeoutNanoseconds: UInt64

    /// Default limits: 64 inbound (8 per IP), 16 outbound, 16 MiB queued per connection, 3 s to
    /// connect, 5 s to flush.
    /// - Precondition: counts >= 0, `outboundQueueBytesMax >= 1`, timeouts above 0.
    public init(
        inboundConnectionsMax: Int = 64, inboundConnectionsPerHostMax: Int = 8, outboundConnectionsMax: Int = 16,
        outboundQueueBytesMax: Int = 16 * 1024 * 1024, connectTimeoutNanoseconds: UInt64 = 3_000_000_000,
        flushTimeoutNanoseconds: UInt64 = 5_000_000_000
    ) {
        precondition(inboundConnectionsMax >= 0 && inboundConnectionsPerHostMax >= 0 && outboundConnectionsMax >= 0,
                     "connection limits must not be negative")
        precondition(outboundQueueBytesMax >= 1, "outboundQueueBytesMax must be at least 1 byte")
        precondition(connectTimeoutNanoseconds > 0 && flushTimeoutNanoseconds > 0, "timeouts must be above 0 ns")
        self.inboundConnectionsMax = inboundConnectionsMax
        self.inboundConnectionsPerHostMax = inboundConnectionsPerHostMax
        self.outboundConnectionsMax = outboundConnectionsMax
        self.outboundQueueBytesMax = outboundQueueBytesMax
        self.connectTimeoutNanoseconds = connectTimeoutNanoseconds
        self.flushTimeoutNanoseconds = flushTimeoutNanoseconds
    }
}
