/// `pouw bench gossip`: N `pouw debug gossip-node` processes on loopback; M messages published from
/// random nodes; time for each to reach every node, duplicates and bytes on the wire.
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct GossipBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gossip",
        abstract: "Gossip latency to all nodes (p50/p99), duplicates and wire bytes, with N local processes."
    )

    @Option(help: "Gossip node processes to start on 127.0.0.1.")
    var nodes = 8

    @Option(help: "Messages to publish, each from a random node.")
    var messages = 100

    @Option(help: "Milliseconds between published messages.")
    var intervalMs = 50

    @Option(help: "Bytes per message.")
    var messageBytes = 256

    @Option(help: "Outbound connections each node keeps.")
    var outboundTarget = 8

    @Option(help: "Gossip mesh degree D of every node.")
    var meshDegree = 6

    @Flag(help: "Nodes send their own messages to the mesh only (no flood publishing).")
    var noFloodPublish = false

    @Option(help: "Seed for the choice of publishers.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Also write the figures as JSON to this file.", valueName: "path"))
    var json: String?

    func validate() throws {
        guard (2...128).contains(nodes) else { throw ValidationError("--nodes must be 2...128") }
        guard (1...100_000).contains(messages) else { throw ValidationError("--messages must be 1...100000") }
        guard (2...32).contains(meshDegree) else { throw ValidationError("--mesh-degree must be 2...32") }
        guard intervalMs >= 1, (16...65_536).contains(messageBytes), (1...64).contains(outboundTarget) else {
            throw ValidationError("--interval-ms >= 1, --message-bytes 16...65536, --outbound-target 1...64")
        }
    }

    func run() throws {
        var nodeOptions = ["--outbound-target", "\(outboundTarget)", "--message-bytes", "\(messageBytes)",
                           "--mesh-degree", "\(meshDegree)"]
        if noFloodPublish { nodeOptions.append("--no-flood-publish") }
        let cluster = try BenchCluster(nodes: nodes, nodeOptions: nodeOptions)
        defer { cluster.stopAll() }
        try cluster.startAll()
        let wanted = min(nodes - 1, 3)
        guard cluster.wait(seconds: 60, { (0..<nodes).allSatisfy { cluster.peerCount($0) >= wanted } }) else {
            throw Failure("nodes did not connect within 60 s (peers: \((0..<nodes).map(cluster.peerCount)))")
        }
        // Heartbeats build the gossip mesh over the new connections.
        Thread.sleep(forTimeInterval: 3)
        var generator = SplitMix(state: seed)
        var publishers: [Int] = []
        for _ in 0..<messages {
            let publisher = Int(generator.next() % UInt64(nodes))
            publishers.append(publisher)
            cluster.publish(from: publisher)
            Thread.sleep(forTimeInterval: Double(intervalMs) / 1_000)
        }
        let complete = cluster.wait(seconds: 30) { cluster.deliveredEverywhere(messages: messages) }
        cluster.stopAll()
        let result = cluster.figures(messages: messages)
        printReport(result, complete: complete)
        if let json {
            let object: [String: Any] = [
                "nodes": nodes, "messages": messages, "mesh_degree": meshDegree, "flood_publish": !noFloodPublish,
                "message_bytes": messageBytes, "interval_ms": intervalMs,
                "p50_ms": result.p50Milliseconds, "p99_ms": result.p99Milliseconds, "max_ms": result.maxMilliseconds,
                "duplicates_per_message_per_node": result.duplicatesPerMessagePerNode,
                "wire_bytes_per_delivery": result.wireBytesPerDelivery, "reached_all": result.reachedAll,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            do {
                try data.write(to: URL(fileURLWithPath: json))
            } catch {
                throw Failure("cannot write \(json): \(error)")
            }
        }
        if !complete { throw Failure("\(messages - result.reachedAll) messages did not reach every node in 30 s") }
    }

    private func printReport(_ result: BenchFigures, complete: Bool) {
        print("gossip bench: \(nodes) nodes, \(messages) messages of \(messageBytes) bytes every \(intervalMs) ms, "
            + "D = \(meshDegree), flood publish \(noFloodPublish ? "off" : "on")")
        print(String(format: "  time to reach all nodes   p50 %.2f ms   p99 %.2f ms   max %.2f ms",
                     result.p50Milliseconds, result.p99Milliseconds, result.maxMilliseconds))
        print(String(format: "  duplicates per message per node   %.2f", result.duplicatesPerMessagePerNode))
        print(String(format: "  wire bytes per delivered message  %.0f", result.wireBytesPerDelivery))
        let note = complete ? "" : " (timed out)"
        print("  messages that reached every node  \(result.reachedAll) of \(messages)\(note)")
    }
}

/// The figures of one run.
struct BenchFigures {
    var p50Milliseconds = 0.0
    var p99Milliseconds = 0.0
    var maxMilliseconds = 0.0
    var duplicatesPerMessagePerNode = 0.0
    var wireBytesPerDelivery = 0.0
    var reachedAll = 0
}

/// SplitMix64, for choosing publishers reproducibly.
private struct SplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
