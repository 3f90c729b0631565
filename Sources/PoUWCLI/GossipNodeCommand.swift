/// `pouw debug gossip-node`: one P2P node as a process, for integration tests and the gossip
/// benchmark. Logs JSON lines with monotonic timestamps (CLOCK_MONOTONIC, shared by the processes
/// of one machine).
import ArgumentParser
import Foundation
import PoUWCore
import PoUWCrypto
import PoUWNode
import PoUWUV

struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Developer tools (not for operators).",
        shouldDisplay: false,
        subcommands: [GossipNodeCommand.self]
    )
}

struct GossipNodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gossip-node",
        abstract: "Run a gossip node; log delivered messages as JSON lines until SIGINT/SIGTERM.",
        discussion: """
            Lines: {"event":"listening"|"publish"|"deliver"|"peer"|"stats", "t_ns": monotonic ns, ...}. \
            With --stdin-control every line "publish" on stdin publishes one message, and the end of \
            stdin stops the node.
            """
    )

    @Option(help: ArgumentHelp("Node key file (created when missing).", valueName: "path"))
    var key: String

    @Option(help: ArgumentHelp("Listen address (port 0: any).", valueName: "host:port"))
    var listen: String

    @Option(help: ArgumentHelp("Address put in our signed peer record (default: the listen address).",
                               valueName: "host:port"))
    var advertise: String?

    @Option(name: .customLong("bootnode"), help: ArgumentHelp("A node to dial (repeatable).", valueName: "host:port"))
    var bootnodes: [String] = []

    @Option(help: ArgumentHelp("Chain id bound into handshakes and records.", valueName: "id"))
    var chainId: String

    @Option(help: "Messages to publish.")
    var publish = 0

    @Option(help: "Milliseconds between published messages.")
    var intervalMs = 100

    @Option(help: "Milliseconds to wait before the first message.")
    var publishDelayMs = 2_000

    @Option(help: "Bytes per published message.")
    var messageBytes = 256

    @Flag(help: "Publish one message per line \"publish\" read from stdin; stop at end of input.")
    var stdinControl = false

    @Option(help: ArgumentHelp("Write the JSON lines here instead of stdout.", valueName: "path"))
    var report: String?

    @Option(help: ArgumentHelp("Peer book file, loaded at start and saved while running.", valueName: "path"))
    var peerBook: String?

    @Option(help: "Handshake timeout in milliseconds.")
    var handshakeTimeoutMs = 5_000

    @Option(help: "Largest frame payload accepted, in bytes.")
    var frameBytesMax = 4 * 1024 * 1024

    @Option(help: "Most connections from one IP address (loopback clusters need more than the default).")
    var connectionsPerIpMax = 8

    @Option(help: "Outbound connections to keep.")
    var outboundTarget = 8

    @Option(help: "Gossip mesh degree D (gossipsub default 6).")
    var meshDegree = 6

    @Flag(help: "Send our own messages to the mesh only, not to every peer (flood publishing is the default).")
    var noFloodPublish = false

    func validate() throws {
        guard Self.address(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, numeric host") }
        if let advertise, Self.address(advertise) == nil {
            throw ValidationError("--advertise must be HOST:PORT, numeric host")
        }
        if chainId.isEmpty || chainId.utf8.count > Limits.chainIdBytesMax {
            throw ValidationError("--chain-id must be 1...\(Limits.chainIdBytesMax) bytes")
        }
        guard publish >= 0, intervalMs >= 0, publishDelayMs >= 0 else {
            throw ValidationError("--publish, --interval-ms and --publish-delay-ms must not be negative")
        }
        guard (16...65_536).contains(messageBytes) else { throw ValidationError("--message-bytes must be 16...65536") }
        guard handshakeTimeoutMs > 0 else { throw ValidationError("--handshake-timeout-ms must be positive") }
        guard (1_024...Limits.frameBytesMax).contains(frameBytesMax) else {
            throw ValidationError("--frame-bytes-max must be 1024...\(Limits.frameBytesMax)")
        }
        guard (2...32).contains(meshDegree) else { throw ValidationError("--mesh-degree must be 2...32") }
        guard (1...1_024).contains(connectionsPerIpMax), (0...64).contains(outboundTarget) else {
            throw ValidationError("--connections-per-ip-max must be 1...1024 and --outbound-target 0...64")
        }
    }

    static func address(_ text: String) -> SocketAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : SocketAddress(host: host, port: port)
    }

    func run() throws {
        let identity = try loadOrCreateKey()
        let log = try JSONLineLog(path: report)
        let loop = EventLoop()
        var config = P2PConfig(chainId: chainId, listen: Self.address(listen)!,
                               seed: identity.publicKey.bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
        config.bootnodes = bootnodes
        config.advertisedAddress = advertise
        config.peerBookPath = peerBook
        config.handshakeTimeoutNanoseconds = UInt64(handshakeTimeoutMs) * 1_000_000
        config.frameBytesMax = frameBytesMax
        config.setConnectionLimits(outboundTarget: outboundTarget, connectionsPerIPMax: connectionsPerIpMax)
        config.setMesh(degree: meshDegree, floodPublish: !noFloodPublish)
        let node = P2PNode(identity: identity, config: config, loop: loop)
        let runner = GossipNodeRunner(node: node, log: log, messageBytes: messageBytes)
        let failure = StartFailure()
        loop.start()
        try? loop.submit { [self] in
            do {
                try runner.start(publish: publish, intervalMs: intervalMs, delayMs: publishDelayMs)
            } catch {
                failure.message = "\(error)"
                loop.requestStop()
            }
        }
        if stdinControl { runner.readControl() }
        loop.waitUntilStopped()
        if let message = failure.message { throw Failure(message) }
    }

    private func loadOrCreateKey() throws -> KeyPair {
        if FileManager.default.fileExists(atPath: key) {
            do { return try KeyFile.read(key) } catch { throw Failure("\(error)") }
        }
        let identity = KeyPair.generate()
        do { try KeyFile.write(identity, to: key) } catch { throw Failure("cannot write \(key): \(error)") }
        return identity
    }
}

/// Why the node did not start, set on the loop thread and read after it stopped.
private final class StartFailure: @unchecked Sendable {
    var message: String?
}

/// Drives a `P2PNode` for `gossip-node`: publishing, logging, signals. Used on the loop thread
/// except `readControl`, which reads stdin on the calling thread and submits to the loop.
private final class GossipNodeRunner: @unchecked Sendable {
    let node: P2PNode
    let log: JSONLineLog
    let messageBytes: Int
    let clock = SystemClock()
    var published = 0
    var statsTimer: TimerID?
    var isStopping = false

    init(node: P2PNode, log: JSONLineLog, messageBytes: Int) {
        self.node = node
        self.log = log
        self.messageBytes = messageBytes
    }

    var loop: EventLoop { node.loop }

    func start(publish count: Int, intervalMs: Int, delayMs: Int) throws {
        node.onDeliver = { [self] message in
            log.write(["event": "deliver", "id": "\(message.id)", "from": "\(message.from)",
                       "bytes": message.data.count, "t_ns": clock.monotonicNanoseconds()])
        }
        node.onPeer = { [self] peer, up in
            log.write(["event": "peer", "peer": "\(peer)", "up": up, "t_ns": clock.monotonicNanoseconds()])
        }
        node.requestHandler = { _, body in body }
        try node.start()
        log.write(["event": "listening", "port": Int(node.listenPort ?? 0), "key": "\(node.identity.publicKey)",
                   "t_ns": clock.monotonicNanoseconds()])
        loop.handleSignals([.interrupt, .terminate]) { [self] _ in stop() }
        statsTimer = loop.schedule(after: 1_000_000_000, repeating: 1_000_000_000) { [self] in logStats() }
        if count > 0 {
            let interval = UInt64(max(intervalMs, 1)) * 1_000_000
            var remaining = count
            var timer: TimerID?
            timer = loop.schedule(after: UInt64(delayMs) * 1_000_000, repeating: interval) { [self] in
                publishOne()
                remaining -= 1
                if remaining == 0, let timer { loop.cancel(timer) }
            }
        }
    }

    func publishOne() {
        published += 1
        var data = Array("\(node.identity.publicKey) \(published) \(clock.monotonicNanoseconds()) ".utf8)
        data += [UInt8](repeating: 0x2E, count: max(0, messageBytes - data.count))
        let now = clock.monotonicNanoseconds()
        let id = node.publish(Array(data.prefix(max(messageBytes, data.count))))
        log.write(["event": "publish", "id": "\(id)", "t_ns": now])
    }

    func logStats() {
        let stats = node.stats
        log.write(["event": "stats", "t_ns": clock.monotonicNanoseconds(), "peers": node.connectedPeers.count,
                   "delivered": stats.messagesDelivered, "published": published,
                   "duplicates": stats.duplicateMessages, "frames_sent": stats.framesSent,
                   "bytes_sent": stats.bytesSent, "frames_received": stats.framesReceived,
                   "bytes_received": stats.bytesReceived, "channel_failures": stats.channelFailures,
                   "refused": stats.connectionsRefused, "invalid_records": stats.invalidPeerRecords])
    }

    /// Logs final stats, says goodbye and stops the loop; later calls do nothing.
    func stop() {
        guard !isStopping else { return }
        isStopping = true
        logStats()
        if let statsTimer { loop.cancel(statsTimer) }
        node.shutdown()
        log.write(["event": "stopped", "t_ns": clock.monotonicNanoseconds()])
        // Let the goodbyes and closes flush before the loop closes every handle.
        loop.schedule(after: 100_000_000) { [self] in loop.requestStop() }
    }

    /// Reads stdin lines until EOF; "publish" publishes one message on the loop. EOF (the parent
    /// closed the pipe or died) stops the node, so that no child outlives its controller.
    func readControl() {
        let thread = Thread { [self] in
            while let line = readLine() {
                guard line.trimmingCharacters(in: .whitespaces) == "publish" else { continue }
                try? loop.submit { [self] in publishOne() }
            }
            try? loop.submit { [self] in stop() }
        }
        thread.start()
    }
}

/// JSON lines to a file or stdout, each written with one `write` call (readers see whole lines).
private final class JSONLineLog: @unchecked Sendable {
    private let handle: FileHandle

    init(path: String?) throws {
        guard let path else {
            handle = FileHandle.standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else { throw Failure("cannot create report file \(path); check the directory exists and is writable") }
        self.handle = handle
    }

    func write(_ fields: [String: any Sendable]) {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
