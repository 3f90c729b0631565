import Foundation
import PoUWUV
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct TCPTransportTests {
    @Test("listening on port 0 reports the port the system picked, and a second bind to it fails")
    func listenOnPortZero() throws {
        try withLoops(1) { loops in
            let transport = TCPTransport(loop: loops[0])
            let port = try onLoop(loops[0]) { try transport.listen(on: loopback()) { _ in }.port }
            #expect(port != 0)
            #expect {
                try onLoop(loops[0]) { _ = try transport.listen(on: loopback(port)) { _ in } }
            } throws: { error in
                guard case TCPError.listenFailed(let address, let cause) = error else { return false }
                return address.port == port && cause.name == "EADDRINUSE"
            }
        }
    }

    @Test("listening or dialling a host name instead of an IP throws invalidAddress")
    func invalidAddress() throws {
        try withLoops(1) { loops in
            let transport = TCPTransport(loop: loops[0])
            #expect(throws: TCPError.invalidAddress("localhost")) {
                try onLoop(loops[0]) { try transport.dial(SocketAddress(host: "localhost", port: 1)) { _ in } }
            }
            #expect(throws: TCPError.invalidAddress("256.0.0.1")) {
                let address = SocketAddress(host: "256.0.0.1", port: 0)
                try onLoop(loops[0]) { _ = try transport.listen(on: address) { _ in } }
            }
        }
    }

    @Test("dialling a port nobody listens on reports connection refused")
    func dialClosedPort() throws {
        try withLoops(1) { loops in
            let loop = loops[0]
            let transport = TCPTransport(loop: loop)
            let port = try onLoop(loop) {
                let listener = try transport.listen(on: loopback()) { _ in }
                listener.close()
                return listener.port
            }
            let outcome = Shared<Result<TCPConnection, TCPError>?>(nil)
            try onLoop(loop) { try transport.dial(loopback(port)) { result in outcome.update { $0 = result } } }
            #expect(eventually { outcome.value != nil })
            guard case .failure(.connectFailed(let address, let cause)) = outcome.value else {
                Issue.record("expected connectFailed, got \(String(describing: outcome.value))")
                return
            }
            #expect(address == loopback(port))
            #expect(cause.name == "ECONNREFUSED")
            #expect(try onLoop(loop) { transport.outboundConnectionCount } == 0)
        }
    }

    @Test("a dial that gets no answer fails with connectTimedOut")
    func dialTimeout() throws {
        // A socket listening with backlog 0 that never accepts: once one connection waits in its
        // queue, the kernel drops further connection requests, so those dials hang until the timeout.
        let stuck = try StuckListener()
        try withLoops(1) { loops in
            let transport = TCPTransport(loop: loops[0])
            var outcomes: [Result<TCPConnection, TCPError>] = []
            for _ in 0..<4 {
                let outcome = Shared<Result<TCPConnection, TCPError>?>(nil)
                try onLoop(loops[0]) {
                    try transport.dial(loopback(stuck.port), timeoutNanoseconds: 300_000_000) { result in
                        outcome.update { $0 = result }
                    }
                }
                #expect(eventually { outcome.value != nil })
                guard let result = outcome.value else { return }
                outcomes.append(result)
                if case .failure = result { break }
            }
            guard case .failure(let error) = outcomes.last else {
                Issue.record("no dial timed out: \(outcomes)")
                return
            }
            #expect(error == .connectTimedOut(loopback(stuck.port)))
        }
    }

    @Test("inbound connections over the total limit are accepted and closed at once, with the reason reported")
    func inboundTotalLimit() throws {
        try withLoops(2) { loops in
            let (serverLoop, clientLoop) = (loops[0], loops[1])
            let server = TCPTransport(loop: serverLoop, limits: TCPLimits(inboundConnectionsMax: 2,
                                                                           inboundConnectionsPerHostMax: 10))
            let accepted = Shared<[TCPConnection]>([])
            let rejections = Shared<[InboundRejection]>([])
            let port = try onLoop(serverLoop) {
                server.onInboundRejected = { rejections.append($0) }
                return try server.listen(on: loopback()) { accepted.append($0) }.port
            }
            let client = TCPTransport(loop: clientLoop)
            let logs = try dial(client, port: port, count: 3)
            #expect(eventually { accepted.value.count == 2 && rejections.value.count == 1 })
            #expect(rejections.value.first?.reason == .inboundLimit(max: 2))
            #expect(rejections.value.first?.remoteAddress?.host == "127.0.0.1")
            #expect(eventually { logs.filter { $0.closeReason.value != nil }.count == 1 })
            #expect(try onLoop(serverLoop) { (server.inboundConnectionCount, server.rejectedInboundCount) } == (2, 1))

            // Closing one accepted connection makes room for a new one.
            try onLoop(serverLoop) { accepted.value[0].close(reason: "make room") }
            #expect(eventually { logs.filter { $0.closeReason.value != nil }.count == 2 })
            #expect(eventually { (try? onLoop(serverLoop) { server.inboundConnectionCount }) == 1 })
            _ = try dial(client, port: port, count: 1)
            #expect(eventually { accepted.value.count == 3 })
            #expect(rejections.value.count == 1)
        }
    }

    @Test("inbound connections over the per-IP limit are refused with perHostLimit")
    func inboundPerHostLimit() throws {
        try withLoops(2) { loops in
            let (serverLoop, clientLoop) = (loops[0], loops[1])
            let server = TCPTransport(loop: serverLoop, limits: TCPLimits(inboundConnectionsMax: 10,
                                                                           inboundConnectionsPerHostMax: 1))
            let accepted = Shared<[TCPConnection]>([])
            let rejections = Shared<[InboundRejection]>([])
            let port = try onLoop(serverLoop) {
                server.onInboundRejected = { rejections.append($0) }
                return try server.listen(on: loopback()) { accepted.append($0) }.port
            }
            let client = TCPTransport(loop: clientLoop)
            let logs = try dial(client, port: port, count: 2)
            #expect(eventually { accepted.value.count == 1 && rejections.value.count == 1 })
            #expect(rejections.value.first?.reason == .perHostLimit(max: 1))
            #expect(eventually { logs.filter { $0.closeReason.value != nil }.count == 1 })
            #expect(try onLoop(serverLoop) { server.inboundConnectionCount } == 1)
        }
    }

    @Test("dials over the outbound limit throw outboundLimitReached, counting dials still connecting")
    func outboundLimit() throws {
        try withLoops(1) { loops in
            let loop = loops[0]
            let transport = TCPTransport(loop: loop, limits: TCPLimits(outboundConnectionsMax: 1))
            let port = try onLoop(loop) { try transport.listen(on: loopback()) { _ in }.port }
            let first = Shared<TCPConnection?>(nil)
            try onLoop(loop) {
                try transport.dial(loopback(port)) { result in first.update { $0 = try? result.get() } }
                #expect(throws: TCPError.outboundLimitReached(max: 1)) { try transport.dial(loopback(port)) { _ in } }
            }
            #expect(eventually { first.value != nil })
            #expect(throws: TCPError.outboundLimitReached(max: 1)) {
                try onLoop(loop) { try transport.dial(loopback(port)) { _ in } }
            }
            try onLoop(loop) { first.value?.close(reason: "done") }
            #expect(eventually { (try? onLoop(loop) { transport.outboundConnectionCount }) == 0 })
            try onLoop(loop) { try transport.dial(loopback(port)) { _ in } }
        }
    }

    @Test("stopping the loop closes open connections and listeners, reporting loopStopped")
    func stopClosesConnections() throws {
        let loop = EventLoop()
        loop.start()
        let transport = TCPTransport(loop: loop)
        let serverSide = ConnectionLog()
        let clientSide = ConnectionLog()
        let port = try onLoop(loop) { try transport.listen(on: loopback()) { serverSide.attach($0) }.port }
        let connected = Shared(false)
        try onLoop(loop) {
            try transport.dial(loopback(port)) { result in
                guard let connection = try? result.get() else { return }
                clientSide.attach(connection)
                connected.update { $0 = true }
            }
        }
        #expect(eventually { connected.value && (try? onLoop(loop) { transport.inboundConnectionCount }) == 1 })
        loop.stop()
        #expect(serverSide.closeReason.value == .loopStopped)
        #expect(clientSide.closeReason.value == .loopStopped)
    }

    /// Dials `count` connections from `client` to 127.0.0.1:`port` and logs each.
    private func dial(_ client: TCPTransport, port: UInt16, count: Int) throws -> [ConnectionLog] {
        let logs = (0..<count).map { _ in ConnectionLog() }
        let connected = Shared(0)
        for log in logs {
            try onLoop(client.loop) {
                try client.dial(loopback(port)) { result in
                    guard let connection = try? result.get() else { return }
                    log.attach(connection)
                    connected.update { $0 += 1 }
                }
            }
        }
        #expect(eventually { connected.value == count })
        return logs
    }
}

/// A socket listening on 127.0.0.1 with backlog 0 that never accepts.
final class StuckListener: Sendable {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        guard descriptor >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 0) == 0 else {
            close(descriptor)
            throw TestFailure("bind/listen failed: errno \(errno)")
        }
        var actual = sockaddr_in()
        var actualLength = length
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        port = UInt16(bigEndian: actual.sin_port)
    }

    deinit { close(descriptor) }
}
