/// `pouw bench finality`: a local testnet of real node processes, measured from outside over the API.
import ArgumentParser
import Foundation
import PoUWAPI
import PoUWNode
#if canImport(Glibc)
import Glibc
#endif

struct FinalityBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finality",
        abstract: "Run a fresh local testnet for a while; report finality latency (p50/p99) and block interval.",
        discussion: """
            Finality latency of a block at a node: from the block's timestamp (set by its proposer) to the \
            moment that node has it final (> 2/3 precommits seen and the block applied). All nodes share \
            this machine's clock. The block interval is the mean gap between consecutive block timestamps.
            """
    )

    @Option(help: "Validator nodes.")
    var nodes = 4

    @Option(help: "Seconds to run after the first block.")
    var seconds = 60

    @Option(help: "Target block interval, in milliseconds.")
    var blockMs = 1000

    @Option(help: "First port (node i uses base + 2i and base + 2i + 1).")
    var basePort = 27600

    @Flag(help: "Run without the Sprint (no model work competing for the CPU).")
    var noSprint = false

    func validate() throws {
        guard (1...16).contains(nodes) else { throw ValidationError("--nodes must be 1...16") }
        guard (10...3_600).contains(seconds) else { throw ValidationError("--seconds must be 10...3600") }
    }

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pouw-finality-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var arguments = ["testnet", "--nodes", "\(nodes)", "--dir", dir, "--base-port", "\(basePort)",
                         "--block-ms", "\(blockMs)", "--epoch-length", "20", "--sprint-length", "5"]
        if noSprint { arguments.append("--no-sprint") }
        let group = ProcessGroup()
        do {
            _ = try group.launch(ProcessSpec(executable: TestnetCommand.executablePath, arguments: arguments,
                                             logPath: dir + ".log"))
        } catch {
            throw Failure("cannot start the testnet: \(error)")
        }
        defer {
            group.stopAll(grace: .seconds(15))
            try? FileManager.default.removeItem(atPath: dir + ".log")
        }
        let clients = (0..<nodes).map { APIClient(baseURL: "http://127.0.0.1:\(basePort + 2 * $0 + 1)",
                                                  timeoutSeconds: 3) }
        Console.status("waiting for the first block")
        guard waitUntil(seconds: 120, { ((try? clients[0].status().height) ?? 0) >= 1 }) else {
            throw Failure("no block within 120 s; see \(dir)/node0/node.log")
        }
        let startHeight = (try? clients[0].status().height) ?? 1
        for second in 1...seconds {
            Console.status("running: \(second)/\(seconds) s, height \((try? clients[0].status().height) ?? 0)")
            sleep(1)
        }
        Console.status("")
        var statuses: [StatusView] = []
        for client in clients {
            do { statuses.append(try client.status()) } catch { throw Failure("a node stopped answering: \(error)") }
        }
        let endHeight = statuses.map(\.height).min() ?? 0
        guard endHeight > startHeight + 1 else { throw Failure("the testnet did not make progress") }
        let first = try clients[0].block(startHeight)
        let last = try clients[0].block(endHeight)
        let interval = Double(last.time - first.time) / Double(endHeight - startHeight)
        Console.line("finality over \(endHeight - startHeight) blocks, \(nodes) nodes on loopback"
                     + (noSprint ? "" : " (Sprint on)") + ":")
        for (index, status) in statuses.enumerated() {
            let latency = status.finalityLatencyMs
            Console.line(String(format: "  node%-2d p50 %6.1f ms   p99 %6.1f ms   (%d blocks)", index,
                                latency.p50 ?? -1, latency.p99 ?? -1, latency.samples))
        }
        let p50s = statuses.compactMap(\.finalityLatencyMs.p50).sorted()
        let p99s = statuses.compactMap(\.finalityLatencyMs.p99).sorted()
        Console.line(String(format: "median node: p50 %.1f ms, p99 %.1f ms; worst p99 %.1f ms; "
                            + "mean block interval %.0f ms (target %d)",
                            p50s[p50s.count / 2], p99s[p99s.count / 2], p99s.last ?? -1, interval, blockMs))
    }

    private func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(200_000)
        }
        return false
    }
}
