import Foundation
import PoUWNode
import PoUWCore
import PoUWCrypto
import PoUWNet
#if canImport(Glibc)
import Glibc
#endif

/// `pouw debug gossip-node` processes on 127.0.0.1, each with its JSON line report and its output log in a
/// temp dir. `stopAll` (call it in a `defer`) terminates every process, then kills what is left.
final class GossipCluster {
    static let chainId = "cluster-test"

    let directory: String
    /// The node processes; node `i` is child `i`.
    let processes = ProcessGroup()
    /// The JSON line report of each node started so far.
    private(set) var reports: [String] = []

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("pouw-p2p-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The `pouw` executable beside the test bundle.
    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("pouw").path
    }()

    /// Starts node `reports.count` listening on a free port, dialling `bootnodes`; returns its index.
    @discardableResult
    func start(bootnodes: [String], extra: [String] = []) throws -> Int {
        let index = reports.count
        let report = "\(directory)/node\(index).jsonl"
        var arguments = ["debug", "gossip-node", "--key", "\(directory)/key\(index).json",
                         "--listen", "127.0.0.1:0", "--chain-id", Self.chainId, "--report", report,
                         "--stdin-control", "--connections-per-ip-max", "64", "--outbound-target", "4",
                         "--peer-book", "\(directory)/peers\(index).bin"]
        for bootnode in bootnodes { arguments += ["--bootnode", bootnode] }
        try processes.launch(ProcessSpec(executable: Self.binary, arguments: arguments + extra,
                                         logPath: "\(directory)/node\(index).log", inputPipe: true))
        reports.append(report)
        return index
    }

    /// The report node `index` wrote so far.
    func report(_ index: Int) -> GossipNodeReport { GossipNodeReport(path: reports[index]) }

    func port(_ index: Int) -> Int? { report(index).listeningPort }
    func peerCount(_ index: Int) -> Int { report(index).connectedPeerCount }

    /// Ids node `index` published, and ids it delivered.
    func published(_ index: Int) -> Set<String> { report(index).ids("publish") }
    func delivered(_ index: Int) -> Set<String> { report(index).ids("deliver") }

    /// Asks node `index` to publish one message.
    func publish(from index: Int) {
        processes.write("publish\n", to: index)
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass; returns whether it held.
    static func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// SIGTERM to every process, then SIGKILL to those still running after 3 s; removes the directory.
    func stopAll() {
        processes.stopAll(grace: .seconds(3))
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A blocking TCP client socket to 127.0.0.1, for hostile peers.
final class RawSocket {
    let descriptor: Int32

    init?(port: Int) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(descriptor)
            return nil
        }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes`; false when the peer has closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Bytes read within one second: nil when the peer closed (EOF or reset), [] when none came.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 { return Array(buffer[..<count]) }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return [] }
        return nil
    }

    /// Reads until the peer closes or `seconds` pass; returns whether it closed.
    func waitForClose(seconds: Int) -> Bool {
        for _ in 0..<seconds {
            while true {
                guard let bytes = receive() else { return true }
                if bytes.isEmpty { break }
            }
        }
        return false
    }

    /// Runs the initiator side of the handshake with `channel`; returns whether it completed
    /// (false: the peer closed the connection first).
    func handshake(_ channel: inout SecureChannel) -> Bool {
        guard send(channel.start()) else { return false }
        for _ in 0..<10 {
            guard let bytes = receive() else { return false }
            guard let output = try? channel.receive(bytes, nowNanoseconds: 0) else { return false }
            if !output.bytesToSend.isEmpty { send(output.bytesToSend) }
            if channel.isEstablished { return true }
        }
        return false
    }

    /// Runs the initiator side of the Noise handshake by hand and sends, in message 3, an identity
    /// whose signature covers the static key used (`forge` false) or another X25519 key (`forge`
    /// true). Returns whether the responder answered message 1 (so that message 3 went out).
    func manualHandshake(chainId: String, forge: Bool) -> Bool {
        let entropy = SystemEntropy()
        let localStatic = X25519KeyPair.generate(entropy: entropy)
        var noise = _NoiseHandshakeState(
            role: .initiator, prologue: SecureChannel.prologue(chainId: chainId),
            localStatic: localStatic, localEphemeral: X25519KeyPair.generate(entropy: entropy))
        guard let first = try? noise.writeMessage(payload: [UInt8(chainId.utf8.count)] + Array(chainId.utf8)),
              send(Self.framed(first))
        else { return false }
        var buffer: [UInt8] = []
        while buffer.count < 2 || buffer.count < 2 + (Int(buffer[0]) << 8 | Int(buffer[1])) {
            guard let bytes = receive(), !bytes.isEmpty else { return false }
            buffer += bytes
        }
        let length = Int(buffer[0]) << 8 | Int(buffer[1])
        guard (try? noise.readMessage(Array(buffer[2..<(2 + length)]))) != nil else { return false }
        let identity = KeyPair.generate()
        let signed = forge ? X25519KeyPair.generate(entropy: entropy).publicKey : localStatic.publicKey
        let signature = identity.sign(payload: signed, kind: .handshake, chainId: chainId)
        guard let third = try? noise.writeMessage(payload: identity.publicKey.bytes + signature.bytes) else {
            return false
        }
        return send(Self.framed(third))
    }

    /// A Noise message with its u16 big-endian length.
    static func framed(_ message: [UInt8]) -> [UInt8] {
        [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }

    /// A channel for a hostile initiator on `chainId`, allowed to send frames of `frameBytesMax`.
    static func channel(chainId: String, frameBytesMax: Int = 64 * 1024) -> SecureChannel {
        SecureChannel(role: .initiator, identity: KeyPair.generate(),
                      config: ChannelConfig(chainId: chainId, frameBytesMax: frameBytesMax),
                      expectedPeer: nil, nowNanoseconds: 0, entropy: SystemEntropy())
    }
}
