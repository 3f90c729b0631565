/// `GET /metrics`: the node's status in the Prometheus text exposition format (version 0.0.4).
import Foundation

public enum Metrics {
    /// Renders `status` as Prometheus gauges, one `# HELP` and `# TYPE` line per metric.
    public static func render(_ status: StatusView) -> String {
        var out = ""
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            out += "# HELP pouw_\(name) \(help)\n# TYPE pouw_\(name) gauge\n"
            for sample in samples {
                let value = sample.value.rounded() == sample.value && abs(sample.value) < 1e15
                    ? String(Int64(sample.value)) : String(sample.value)
                out += "pouw_\(name)\(sample.labels) \(value)\n"
            }
        }
        let weight = status.validators.first { $0.key == status.nodeKey }?.weight ?? 0
        gauge("height", "Height of the last final block.", [("", Double(status.height))])
        gauge("epoch", "Epoch of the next block.", [("", Double(status.epoch))])
        gauge("round", "Consensus round of the height being decided.", [("", Double(status.round))])
        gauge("peers", "Connected peers.", [("", Double(status.peers))])
        gauge("mempool_transactions", "Transactions waiting in the mempool.", [("", Double(status.mempoolSize))])
        gauge("syncing", "1 while the node fetches final blocks from a peer.", [("", status.isSyncing ? 1 : 0)])
        gauge("validator", "1 when this node is in the validator set of the next block.",
              [("", status.isValidator ? 1 : 0)])
        gauge("validator_weight", "This node's weight in the current epoch.", [("", Double(weight))])
        gauge("total_weight", "Total validator weight of the current epoch.", [("", Double(status.totalWeight))])
        gauge("validators", "Validators in the current epoch.", [("", Double(status.validators.count))])
        gauge("last_block_time_seconds", "Timestamp of the last final block (Unix seconds).",
              [("", Double(status.lastBlockTimeMs) / 1000)])
        let latency = status.finalityLatencyMs
        var quantiles: [(labels: String, value: Double)] = []
        if let p50 = latency.p50 { quantiles.append(("{quantile=\"0.5\"}", p50 / 1000)) }
        if let p99 = latency.p99 { quantiles.append(("{quantile=\"0.99\"}", p99 / 1000)) }
        gauge("finality_latency_seconds", "Block timestamp to final at this node, over recent blocks.", quantiles)
        gauge("finality_latency_samples", "Blocks behind the finality quantiles.", [("", Double(latency.samples))])
        return out
    }
}
