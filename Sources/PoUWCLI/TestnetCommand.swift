/// `pouw testnet --nodes N [--dir DIR]`: a local network of N validator processes on 127.0.0.1.
import ArgumentParser
import Foundation
import PoUWChain
import PoUWCore
import PoUWCrypto
import PoUWNode
#if canImport(Glibc)
import Glibc
#endif

struct TestnetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testnet",
        abstract: "Create (first run) and run a local network of N nodes on 127.0.0.1; Ctrl-C stops them all.",
        discussion: """
            The first run writes DIR/node0 … with keys, config.toml and one shared genesis.json whose \
            validators are the N node keys; later runs restart the same network and its data. Node i \
            listens for P2P on --base-port + 2i and serves its HTTP API on --base-port + 2i + 1 \
            (docs/operators.md).
            """
    )

    @Option(help: "Validator nodes (1...32).")
    var nodes = 4

    @Option(help: ArgumentHelp("Directory of the node homes.", valueName: "dir"))
    var dir = "testnet"

    @Option(help: "First port: node i uses base + 2i (P2P) and base + 2i + 1 (API).")
    var basePort = 26600

    @Option(help: "Extra non-validator nodes that follow the chain (created, started with the rest).")
    var observers = 0

    @Option(help: "Chain id of a new testnet.")
    var chainId = "pouw-testnet"

    @Option(help: "Blocks per epoch (E) of a new testnet.")
    var epochLength: UInt64 = 20

    @Option(help: "Blocks of each epoch's Sprint commit window (S) of a new testnet.")
    var sprintLength: UInt64 = 5

    @Option(help: "Target block interval of a new testnet, in milliseconds.")
    var blockMs: UInt64 = 1000

    @Option(help: "Most Sprint nonces per participant and epoch in a new testnet.")
    var sprintNonces: UInt64 = 8

    @Option(help: "Inference threads per node.")
    var threads = 1

    @Option(help: ArgumentHelp("GGUF model for the Sprint (default: $POUW_MODEL, else \(ModelOptions.defaultModel)).",
                               valueName: "path"))
    var model: String?

    @Flag(help: "Write the homes and the genesis, then exit without starting the nodes.")
    var createOnly = false

    @Flag(help: "Start the nodes without the Sprint (no model needed; weights stay at genesis).")
    var noSprint = false

    func validate() throws {
        guard (1...32).contains(nodes) else { throw ValidationError("--nodes must be 1...32") }
        guard (0...8).contains(observers) else { throw ValidationError("--observers must be 0...8") }
        guard basePort >= 1024, basePort + 2 * (nodes + observers) <= 65_535 else {
            throw ValidationError("--base-port must leave room for \(2 * (nodes + observers)) ports below 65536")
        }
        if let reason = NodeConfig.validateChainId(chainId) { throw ValidationError("--chain-id \(reason)") }
        guard epochLength >= 4, sprintLength >= 1, sprintLength < epochLength else {
            throw ValidationError("--epoch-length must be ≥ 4 and --sprint-length 1...epoch-length − 1")
        }
        guard (100...60_000).contains(blockMs) else { throw ValidationError("--block-ms must be 100...60000") }
        guard (1...1_024).contains(sprintNonces) else { throw ValidationError("--sprint-nonces must be 1...1024") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1...64") }
    }

    var modelPath: String {
        let path = model ?? ProcessInfo.processInfo.environment["POUW_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ModelOptions.defaultModel
        return path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    func home(_ index: Int) -> String { "\(dir)/node\(index)" }

    func run() throws {
        let total = nodes + observers
        if FileManager.default.fileExists(atPath: home(0) + "/config.toml") {
            var present = 0
            while FileManager.default.fileExists(atPath: home(present) + "/config.toml") { present += 1 }
            guard present == total else {
                throw Failure("\(dir) holds a testnet of \(present) nodes, but --nodes \(nodes) --observers "
                              + "\(observers) asks for \(total): pass the same counts, or delete \(dir) for a new "
                              + "network")
            }
            Console.line("testnet: reusing \(dir) (delete it for a new network)")
        } else {
            try create()
        }
        if createOnly { return }
        let binary = Self.executablePath
        let group = ProcessGroup()
        var rows: [(String, String, String, String)] = []
        for index in 0..<total {
            let nodeHome = NodeHome(path: home(index))
            let config: NodeConfig
            do { config = try nodeHome.loadConfig() } catch { throw Failure("\(error)") }
            // The pipe on each node's stdin closes when this process dies, even by SIGKILL: the nodes follow.
            var arguments = ["node", "--home", nodeHome.path, "--exit-on-stdin-eof"]
            if noSprint { arguments.append("--no-sprint") }
            let log = nodeHome.path + "/node.log"
            do {
                _ = try group.launch(ProcessSpec(executable: binary, arguments: arguments, logPath: log,
                                                 inputPipe: true))
            } catch {
                group.stopAll(grace: .seconds(5))
                throw Failure("cannot start node\(index): \(error)")
            }
            rows.append((config.moniker, config.p2pListen, "http://" + config.apiListen, log))
        }
        Console.line("testnet: \(nodes) validator\(nodes == 1 ? "" : "s")"
              + (observers > 0 ? " + \(observers) observer\(observers == 1 ? "" : "s")" : "") + " running")
        let table = [["node", "p2p", "api", "log"]] + rows.map { [$0.0, $0.1, $0.2, $0.3] }
        let widths = (0..<4).map { column in table.map { $0[column].count }.max() ?? 0 }
        for cells in table {
            let line = zip(cells, widths).map { $0.padding(toLength: $1 + 2, withPad: " ", startingAt: 0) }.joined()
            Console.line("  " + String(line.reversed().drop { $0 == " " }.reversed()))
        }
        Console.line("watch: \(binary) status --api \(rows[0].2)    stop: Ctrl-C")
        let watcher = TerminationSignalWatcher()
        var reported = Set<Int>()
        while watcher.wait(timeout: .seconds(1)) == nil {
            for index in 0..<total where !reported.contains(index) {
                if let exit = group.exitStatus(index) {
                    reported.insert(index)
                    Console.line("testnet: node\(index) stopped (\(exit)); see \(rows[index].3)")
                            }
            }
        }
        Console.line("testnet: stopping \(total) nodes")
        group.stopAll(grace: .seconds(5))
        watcher.cancel()
        Console.line("testnet: stopped")
    }

    /// Writes the homes and the shared genesis.
    private func create() throws {
        let total = nodes + observers
        let modelFile = modelPath
        var spec = ModelSpec.reference
        if !noSprint {
            guard let data = FileManager.default.contents(atPath: modelFile) else {
                throw Failure("model file \(modelFile) not found: run `bash Deploy/setup.sh`, pass --model PATH, "
                              + "or use --no-sprint")
            }
            spec = ModelSpec(name: URL(fileURLWithPath: modelFile).lastPathComponent,
                             sha256: Hex.encode(SHA256.hash([UInt8](data)).bytes))
        }
        let p2pAddresses = (0..<total).map { "127.0.0.1:\(basePort + 2 * $0)" }
        var homes: [NodeHome] = []
        for index in 0..<total {
            let config = NodeConfig(
                chainId: chainId, moniker: "node\(index)", p2pListen: p2pAddresses[index],
                bootnodes: (0..<nodes).filter { $0 != index }.map { p2pAddresses[$0] },
                apiListen: "127.0.0.1:\(basePort + 2 * index + 1)", dataDirectory: "data", modelPath: modelFile,
                inferenceThreads: threads
            )
            do { homes.append(try NodeHome.initialise(at: home(index), config: config)) } catch {
                throw Failure("\(error)")
            }
        }
        var parameters = ChainParameters()
        parameters.epochLength = epochLength
        parameters.sprintLength = sprintLength
        parameters.blockIntervalMilliseconds = blockMs
        parameters.sprintNoncesMax = sprintNonces
        parameters.sprintSamples = min(4, sprintNonces)
        parameters.sprintVerifiers = UInt64(min(2, max(nodes - 1, 1)))
        parameters.unbondingBlocks = epochLength
        parameters.model = spec
        var accounts: [GenesisAccount] = []
        var validators: [GenesisValidator] = []
        for (index, nodeHome) in homes.enumerated() {
            let nodeKey: KeyPair
            let accountKey: KeyPair
            do {
                nodeKey = try nodeHome.nodeKey()
                accountKey = try nodeHome.accountKey()
            } catch {
                throw Failure("\(error)")
            }
            accounts.append(GenesisAccount(publicKey: nodeKey.publicKey, balance: 1_000_000_000))
            accounts.append(GenesisAccount(publicKey: accountKey.publicKey, balance: 1_000_000_000))
            if index < nodes {
                validators.append(GenesisValidator(publicKey: nodeKey.publicKey, weight: 100,
                                                   collateral: 1_000_000, name: "node\(index)"))
            }
        }
        let genesis = Genesis(
            chainId: chainId, genesisTimeMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000),
            parameters: parameters, accounts: accounts, validators: validators
        )
        do { try genesis.validate() } catch { throw Failure("the generated genesis is invalid: \(error)") }
        for nodeHome in homes {
            do {
                let url = URL(fileURLWithPath: nodeHome.path + "/genesis.json")
                try genesis.jsonData().write(to: url, options: .atomic)
            } catch {
                throw Failure("cannot write \(nodeHome.path)/genesis.json: \(error.localizedDescription)")
            }
        }
        let extra = observers > 0 ? " and \(observers) observer homes" : ""
        Console.line("testnet: created \(nodes) validator homes\(extra) in \(dir), chain \(chainId), "
                     + "genesis \(genesis.hash)")
    }

    /// This executable, to start the nodes with.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
