/// The processes of `pouw bench gossip`: `pouw debug gossip-node` children of this binary, their
/// JSON line reports, and the figures computed from them.
import Foundation
import PoUWNode

final class BenchCluster {
    let count: Int
    let nodeOptions: [String]
    let directory: String
    /// The node processes; node `i` is child `i`, its output in `node<i>.log`.
    let processes = ProcessGroup()
    /// The JSON line report of each node started so far.
    private(set) var reports: [String] = []
    /// While the nodes run, Ctrl-C or SIGTERM stops them, removes the directory and exits (128 + signal).
    private var signalForwarding: TerminationSignalWatcher?

    /// - Parameter nodeOptions: extra `gossip-node` options for every node.
    init(nodes: Int, nodeOptions: [String]) throws {
        count = nodes
        self.nodeOptions = nodeOptions
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pouw-bench-\(UUID())").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure("cannot create \(directory): \(error)")
        }
    }

    /// This executable (`/proc/self/exe`).
    static var binary: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Starts node 0, waits for its port, then the others with node 0 as bootnode.
    func startAll() throws {
        let directory = self.directory
        signalForwarding = processes.forwardTerminationSignals(grace: .seconds(5)) { number in
            try? FileManager.default.removeItem(atPath: directory)
            exit(128 + number)
        }
        try start(bootnode: nil)
        guard wait(seconds: 10, { self.port(0) != nil }), let port = port(0) else {
            throw Failure("the first gossip node did not start; see \(directory)/node0.log and \(reports[0])")
        }
        for _ in 1..<count { try start(bootnode: "127.0.0.1:\(port)") }
    }

    private func start(bootnode: String?) throws {
        let index = reports.count
        let report = "\(directory)/node\(index).jsonl"
        var arguments = ["debug", "gossip-node", "--key", "\(directory)/key\(index).json", "--listen", "127.0.0.1:0",
                         "--chain-id", "bench", "--report", report, "--stdin-control",
                         "--connections-per-ip-max", "\(2 * count + 8)"] + nodeOptions
        if let bootnode { arguments += ["--bootnode", bootnode] }
        // The input pipe carries `publish` commands; its end-of-file (this process gone) stops the node.
        let spec = ProcessSpec(executable: Self.binary, arguments: arguments,
                               logPath: "\(directory)/node\(index).log", inputPipe: true)
        do { try processes.launch(spec) } catch { throw Failure("\(error)") }
        reports.append(report)
    }

    func publish(from index: Int) {
        processes.write("publish\n", to: index)
    }

    /// SIGTERM to all, SIGKILL to any left after 5 s; waits for every exit. Idempotent.
    func stopAll() {
        processes.stopAll(grace: .seconds(5))
        signalForwarding?.cancel()
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }

    // MARK: Reports

    /// The report node `index` wrote so far.
    func report(_ index: Int) -> GossipNodeReport { GossipNodeReport(path: reports[index]) }

    func events(_ index: Int) -> [[String: Any]] { report(index).events }
    func port(_ index: Int) -> Int? { report(index).listeningPort }
    func peerCount(_ index: Int) -> Int { report(index).connectedPeerCount }

    /// (id → time published, node → id → time delivered, last stats line per node).
    private func collect() -> (published: [String: UInt64], delivered: [[String: UInt64]], stats: [[String: Any]]) {
        var published: [String: UInt64] = [:]
        var delivered: [[String: UInt64]] = []
        var stats: [[String: Any]] = []
        for index in 0..<count {
            var mine: [String: UInt64] = [:]
            var last: [String: Any] = [:]
            for event in events(index) {
                guard let kind = event["event"] as? String, let time = (event["t_ns"] as? NSNumber)?.uint64Value
                else { continue }
                switch kind {
                case "publish": if let id = event["id"] as? String { published[id] = time; mine[id] = time }
                case "deliver": if let id = event["id"] as? String, mine[id] == nil { mine[id] = time }
                case "stats": last = event
                default: break
                }
            }
            delivered.append(mine)
            stats.append(last)
        }
        return (published, delivered, stats)
    }

    func deliveredEverywhere(messages: Int) -> Bool {
        let (published, delivered, _) = collect()
        guard published.count >= messages else { return false }
        return delivered.allSatisfy { node in published.keys.allSatisfy { node[$0] != nil } }
    }

    func figures(messages: Int) -> BenchFigures {
        let (published, delivered, stats) = collect()
        var latencies: [Double] = []
        for (id, start) in published {
            let times = delivered.compactMap { $0[id] }
            guard times.count == count, let last = times.max(), last >= start else { continue }
            latencies.append(Double(last - start) / 1e6)
        }
        latencies.sort()
        var figures = BenchFigures()
        figures.reachedAll = latencies.count
        if !latencies.isEmpty {
            figures.p50Milliseconds = Self.percentile(latencies, 50)
            figures.p99Milliseconds = Self.percentile(latencies, 99)
            figures.maxMilliseconds = latencies.last!
        }
        let duplicates = stats.compactMap { ($0["duplicates"] as? NSNumber)?.doubleValue }.reduce(0, +)
        let bytes = stats.compactMap { ($0["bytes_sent"] as? NSNumber)?.doubleValue }.reduce(0, +)
        figures.duplicatesPerMessagePerNode = duplicates / Double(messages * count)
        figures.wireBytesPerDelivery = bytes / Double(messages * (count - 1))
        return figures
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ percent: Int) -> Double {
        let rank = Int((Double(percent) / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
