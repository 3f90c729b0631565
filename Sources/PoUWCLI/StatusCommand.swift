/// `pouw status`: what a running node says about itself and the chain.
import ArgumentParser
import Foundation
import PoUWAPI
import PoUWNode

/// Where the node's HTTP API is: `--api URL`, else the `[api] listen` of `--home`'s config.
struct APIOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The node's API, e.g. http://127.0.0.1:26601 (default: from --home's config.toml).",
                               valueName: "url"))
    var api: String?

    @OptionGroup var home: HomeOptions

    func client() throws -> APIClient {
        if let api { return APIClient(baseURL: api) }
        do {
            let config = try NodeHome(path: home.resolved).loadConfig()
            return APIClient(baseURL: "http://" + config.apiListen)
        } catch {
            throw Failure("\(error) — or pass --api http://HOST:PORT")
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a node's height, epoch and phase, peers and validator weights."
    )

    @OptionGroup var where_: APIOptions

    @Flag(help: "Print the raw JSON.")
    var json = false

    func run() throws {
        let client = try where_.client()
        let status: StatusView
        do { status = try client.status() } catch { throw Failure("\(error)") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        let latency = status.finalityLatencyMs
        func ms(_ value: Double?) -> String { value.map { String(format: "%.0f ms", $0) } ?? "-" }
        print("""
            chain      \(status.chainId)   node \(status.moniker) \(status.nodeKey.prefix(16))…\
            \(status.isValidator ? "  (validator)" : "")
            height     \(status.height)   head \(status.headHash.prefix(16))…   step \(status.step) \
            round \(status.round)\(status.isSyncing ? "   SYNCING" : "")
            epoch      \(status.epoch)   phase \(status.phase.rawValue)   started at \(status.epochStartHeight), \
            next at \(status.nextEpochHeight)
            finality   p50 \(ms(latency.p50))   p99 \(ms(latency.p99))   over \(latency.samples) blocks
            mempool    \(status.mempoolSize) transactions
            peers      \(status.peers)
            """)
        print("validators (total weight \(status.totalWeight)):")
        for validator in status.validators {
            let share = status.totalWeight == 0 ? 0 : Double(validator.weight) * 100 / Double(status.totalWeight)
            print("  \(validator.key)  \(validator.weight)  (\(String(format: "%.1f", share))%)")
        }
    }
}
