import Foundation
import PoUWUV
import Testing

@Suite struct TCPConnectionTests {
    /// A server on one loop (its connections' logs and handles) and a client on another.
    private struct Pair {
        let serverLoop: EventLoop
        let clientLoop: EventLoop
        let server: TCPTransport
        let client: TCPTransport
        let accepted: Shared<[TCPConnection]>
        let serverLog: ConnectionLog
        let clientLog: ConnectionLog
        let clientConnection: TCPConnection
    }

    /// Connects a client on `loops[1]` to a server on `loops[0]`; `server` runs on the accepted
    /// connection, `client` on the dialled one, before any byte is read.
    private func connect(
        _ loops: [EventLoop], serverLimits: TCPLimits = TCPLimits(), clientLimits: TCPLimits = TCPLimits(),
        server configure: @escaping @Sendable (TCPConnection) -> Void = { _ in },
        client configureClient: @escaping @Sendable (TCPConnection) -> Void = { _ in }
    ) throws -> Pair {
        let server = TCPTransport(loop: loops[0], limits: serverLimits)
        let client = TCPTransport(loop: loops[1], limits: clientLimits)
        let accepted = Shared<[TCPConnection]>([])
        let serverLog = ConnectionLog()
        let clientLog = ConnectionLog()
        let port = try onLoop(loops[0]) {
            try server.listen(on: loopback()) { connection in
                serverLog.attach(connection)
                configure(connection)
                accepted.append(connection)
            }.port
        }
        let dialled = Shared<TCPConnection?>(nil)
        try onLoop(loops[1]) {
            try client.dial(loopback(port)) { result in
                guard let connection = try? result.get() else { return }
                clientLog.attach(connection)
                configureClient(connection)
                dialled.update { $0 = connection }
            }
        }
        guard eventually({ dialled.value != nil && accepted.value.count == 1 }), let connection = dialled.value else {
            throw TestFailure("the connection did not open")
        }
        return Pair(serverLoop: loops[0], clientLoop: loops[1], server: server, client: client, accepted: accepted,
                    serverLog: serverLog, clientLog: clientLog, clientConnection: connection)
    }

    @Test("bytes echo back intact between two loops for sends of 1 byte to 4 MiB")
    func echo() throws {
        try withLoops(2) { loops in
            let pair = try connect(loops, server: { connection in
                connection.onRead = { [unowned connection] bytes in try? connection.send(bytes) }
            })
            let sizes = [1, 2, 3, 1_000, 65_535, 65_536, 65_537, 1 << 20, 4 << 20]
            let messages = sizes.enumerated().map { patternBytes(count: $1, seed: UInt8($0)) }
            let sent = messages.flatMap { $0 }
            try onLoop(pair.clientLoop) {
                for message in messages { try pair.clientConnection.send(message) }
            }
            #expect(eventually { pair.clientLog.received.value.count >= sent.count })
            let echoed = same(pair.clientLog.received.value, sent)
            #expect(echoed)
            #expect(try onLoop(pair.clientLoop) { pair.clientConnection.queuedBytes } == 0)
        }
    }

    @Test("a full outbound queue refuses sends and reports its bytes; it drains once the peer reads")
    func outboundBackpressure() throws {
        let limit = 2 << 20
        try withLoops(2) { loops in
            let pair = try connect(loops, clientLimits: TCPLimits(outboundQueueBytesMax: limit),
                                   server: { $0.pauseReading() })
            let chunk = patternBytes(count: 256 * 1024, seed: 7)
            let (accepted, refusal, queued) = try onLoop(pair.clientLoop) { () -> (Int, TCPError?, Int) in
                var accepted = 0
                // The kernel's socket buffers take a few MiB first; 1 GiB bounds the loop.
                while accepted < 4_096 {
                    do throws(TCPError) {
                        try pair.clientConnection.send(chunk)
                        accepted += 1
                    } catch {
                        return (accepted, error, pair.clientConnection.queuedBytes)
                    }
                }
                return (accepted, nil, pair.clientConnection.queuedBytes)
            }
            guard case .outboundQueueFull(let reportedBytes, let reportedLimit) = refusal else {
                Issue.record("expected outboundQueueFull after \(accepted) sends, got \(String(describing: refusal))")
                return
            }
            #expect(reportedLimit == limit)
            #expect(reportedBytes == queued)
            #expect(queued >= limit && queued < limit + chunk.count)
            #expect(try onLoop(pair.clientLoop) { pair.clientConnection.isOpen })

            try onLoop(pair.serverLoop) { pair.accepted.value[0].resumeReading() }
            #expect(eventually { pair.serverLog.received.value.count == accepted * chunk.count })
            #expect(try onLoop(pair.clientLoop) { pair.clientConnection.queuedBytes } == 0)
        }
    }

    @Test("closing reports the local reason here and the end of stream at the peer")
    func closeReasons() throws {
        try withLoops(2) { loops in
            let pair = try connect(loops)
            try onLoop(pair.serverLoop) {
                pair.accepted.value[0].close(reason: "not needed")
                pair.accepted.value[0].close(reason: "second close is ignored")
            }
            #expect(eventually { pair.serverLog.closeReason.value != nil && pair.clientLog.closeReason.value != nil })
            #expect(pair.serverLog.closeReason.value == .local("not needed"))
            #expect(pair.clientLog.closeReason.value == .remoteClosed)
            #expect(throws: TCPError.closed) { try onLoop(pair.clientLoop) { try pair.clientConnection.send([1]) } }
            #expect(eventually {
                (try? onLoop(pair.serverLoop) { pair.server.inboundConnectionCount }) == 0
                    && (try? onLoop(pair.clientLoop) { pair.client.outboundConnectionCount }) == 0
            })
        }
    }

    @Test("close with flush delivers every queued byte before the end of stream")
    func flushingClose() throws {
        try withLoops(2) { loops in
            let pair = try connect(loops)
            let payload = patternBytes(count: 3 << 20, seed: 3)
            try onLoop(pair.clientLoop) {
                try pair.clientConnection.send(payload)
                pair.clientConnection.close(reason: "done", flush: true)
                #expect(throws: TCPError.closed) { try pair.clientConnection.send([1]) }
            }
            #expect(eventually { pair.serverLog.closeReason.value != nil && pair.clientLog.closeReason.value != nil })
            let delivered = same(pair.serverLog.received.value, payload)
            #expect(delivered)
            #expect(pair.serverLog.closeReason.value == .remoteClosed)
            #expect(pair.clientLog.closeReason.value == .local("done"))
        }
    }

    @Test("writing to a connection the peer closed fails with an error instead of killing the process")
    func writeAfterPeerClosed() throws {
        try withLoops(2) { loops in
            // Not reading, the client misses the end of stream and keeps writing until the kernel
            // reports the broken connection (EPIPE or ECONNRESET).
            let pair = try connect(loops, server: { $0.close(reason: "go away") }, client: { $0.pauseReading() })
            let connection = pair.clientConnection
            try onLoop(pair.clientLoop) {
                let chunk = [UInt8](repeating: 7, count: 1_024)
                var timer: TimerID?
                timer = pair.clientLoop.schedule(after: 1_000_000, repeating: 1_000_000) {
                    do { try connection.send(chunk) } catch { pair.clientLoop.cancel(timer!) }
                }
            }
            #expect(eventually { pair.clientLog.closeReason.value != nil })
            guard case .failed(let error) = pair.clientLog.closeReason.value else {
                Issue.record("expected a write failure, got \(String(describing: pair.clientLog.closeReason.value))")
                return
            }
            #expect(["EPIPE", "ECONNRESET"].contains(error.name))
        }
    }

    @Test("a peer that never reads cannot hold a flushing close open past the flush timeout")
    func flushTimeout() throws {
        try withLoops(2) { loops in
            let limits = TCPLimits(outboundQueueBytesMax: 64 << 20, flushTimeoutNanoseconds: 100_000_000)
            let pair = try connect(loops, clientLimits: limits, server: { $0.pauseReading() })
            try onLoop(pair.clientLoop) {
                // More than the kernel buffers hold, so bytes stay queued.
                try pair.clientConnection.send([UInt8](repeating: 0xA5, count: 32 << 20))
                #expect(pair.clientConnection.queuedBytes > 0)
                pair.clientConnection.close(reason: "giving up", flush: true)
            }
            #expect(eventually { pair.clientLog.closeReason.value != nil })
            #expect(pair.clientLog.closeReason.value == .local("giving up"))
        }
    }
}
