import ArgumentParser
import PoUWCrypto
import PoUWNode

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a node home: config.toml, a node key and an account key."
    )

    @OptionGroup var home: HomeOptions

    @Option(help: "Chain id the node joins (lower-case letters, digits, '-').")
    var chainId = "pouw-devnet"

    @Option(help: "Human-readable node name shown to peers.")
    var moniker: String?

    @Option(help: "P2P listen address, host:port.")
    var p2p = "127.0.0.1:26656"

    @Option(help: "HTTP API listen address, host:port.")
    var api = "127.0.0.1:8545"

    @Option(help: "Path of the GGUF model this node serves (empty: none).")
    var model = ""

    func validate() throws {
        if let reason = NodeConfig.validateChainId(chainId) { throw ValidationError("--chain-id \(reason)") }
        if let reason = NodeConfig.validateHostPort(p2p) { throw ValidationError("--p2p \(reason)") }
        if let reason = NodeConfig.validateHostPort(api) { throw ValidationError("--api \(reason)") }
    }

    func run() throws {
        let path = home.resolved
        let name = moniker ?? String(path.split(separator: "/").last ?? "node")
        let config = NodeConfig(chainId: chainId, moniker: name, p2pListen: p2p, apiListen: api, modelPath: model)
        do {
            let created = try NodeHome.initialise(at: path, config: config)
            let node = try created.nodeKey()
            let account = try created.accountKey()
            print("initialised node home \(created.path)")
            print("  config       \(created.configPath)")
            print("  node id      \(node.publicKey)")
            print("  account      \(Address(publicKey: account.publicKey))")
        } catch {
            throw Failure("\(error)")
        }
    }
}
