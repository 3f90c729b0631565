/// `pouw node --home DIR`: runs one chain node until SIGINT/SIGTERM.
import ArgumentParser
import Foundation
import PoUWChain
import PoUWCore
import PoUWCrypto
import PoUWInference
import PoUWNode
import PoUWServe
import PoUWUV
import PoUWWork

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a node: consensus, block sync, the Sprint and the HTTP API (stop with Ctrl-C).",
        discussion: """
            Reads <home>/config.toml, <home>/node_key.json and <home>/genesis.json (docs/operators.md). \
            Logs one line per event to stdout.
            """
    )

    @OptionGroup var home: HomeOptions

    @Flag(help: "Take no part in the Sprint (no model is loaded; this node never gains weight).")
    var noSprint = false

    @Flag(help: "Before joining, replay every stored block from genesis and check every state commitment.")
    var verify = false

    @Flag(help: ArgumentHelp(
        "Stop when standard input reaches its end (a supervisor's pipe: the node dies with its supervisor).",
        visibility: .hidden))
    var exitOnStdinEof = false

    func run() throws {
        let nodeHome = NodeHome(path: home.resolved)
        let config: NodeConfig
        let identity: KeyPair
        let dataPath: String
        do {
            config = try nodeHome.loadConfig()
            identity = try nodeHome.nodeKey()
            dataPath = try nodeHome.dataPath
        } catch {
            throw Failure("\(error)")
        }
        let genesisPath = nodeHome.path + "/genesis.json"
        let genesis: Genesis
        do { genesis = try Genesis.load(path: genesisPath) } catch {
            throw Failure("\(genesisPath): \(error)")
        }
        guard genesis.chainId == config.chainId else {
            throw Failure("config.toml says chain \(config.chainId) but \(genesisPath) is for chain "
                          + "\(genesis.chainId): fix one of them")
        }
        let work = noSprint ? nil : try loadSprintWork(config: config, genesis: genesis, home: nodeHome.path)
        guard let listen = GossipNodeCommand.address(config.p2pListen) else {
            throw Failure("p2p.listen \(config.p2pListen) must be a numeric host:port")
        }
        var p2p = P2PConfig(chainId: genesis.chainId, listen: listen,
                            seed: identity.publicKey.bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
        p2p.bootnodes = config.bootnodes
        p2p.peerBookPath = dataPath + "/peers.json"
        p2p.setConnectionLimits(outboundTarget: 8, connectionsPerIPMax: 64)
        let log = LineLog(moniker: config.moniker)
        var options = ChainNodeOptions(
            identity: identity, genesis: genesis, dataPath: dataPath, p2p: p2p, apiListen: config.apiListen,
            moniker: config.moniker, sprintWork: work, log: { log.write($0) }
        )
        options.verifyOnStart = verify
        if let work {
            do {
                options.inference = try InferenceService.load(
                    sharingWeightsOf: work.model, threads: config.inferenceThreads,
                    modelName: genesis.parameters.model.name)
            } catch {
                throw Failure("cannot start the inference service: \(error)")
            }
        }
        let loop = EventLoop()
        let node: ChainNode
        do { node = try ChainNode(options: options, loop: loop) } catch { throw Failure("\(error)") }
        let failure = LockedMessage()
        loop.start()
        try? loop.submit {
            do {
                try node.start()
                loop.handleSignals([.interrupt, .terminate]) { signal in
                    log.write("received \(signal); stopping")
                    node.shutdown()
                    loop.requestStop()
                }
            } catch {
                failure.set("\(error)")
                node.shutdown()
                loop.requestStop()
            }
        }
        if exitOnStdinEof {
            Thread.detachNewThread {
                while let line = readLine(strippingNewline: false), !line.isEmpty {}
                log.write("standard input closed (supervisor gone); stopping")
                try? loop.submit {
                    node.shutdown()
                    loop.requestStop()
                }
            }
        }
        loop.waitUntilStopped()
        if let message = failure.get() { throw Failure(message) }
        if let reason = node.haltReason { throw Failure("node halted: \(reason)") }
    }

    /// Loads the model the genesis names, checking its SHA-256, for the Sprint.
    private func loadSprintWork(config: NodeConfig, genesis: Genesis, home: String) throws -> SprintWorkload {
        var path = config.modelPath.isEmpty ? ModelOptions.defaultModel : config.modelPath
        if !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) { path = home + "/" + path }
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure("model file \(path) not found: set [inference] model in config.toml, run "
                          + "`bash Deploy/setup.sh`, or start with --no-sprint")
        }
        let expected = genesis.parameters.model.sha256.lowercased()
        if !expected.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure("cannot read model file \(path)")
            }
            let actual = Hex.encode(SHA256.hash([UInt8](data)).bytes)
            guard actual == expected else {
                throw Failure("model file \(path) has SHA-256 \(actual), but the genesis requires \(expected) "
                              + "(\(genesis.parameters.model.name)): use the right model file")
            }
        }
        do {
            let model = try InferenceModel(path: path, threads: config.inferenceThreads, batchRowsMax: 64)
            return SprintWorkload(model: model)
        } catch {
            throw Failure("cannot load model \(path): \(error)")
        }
    }
}

/// One log line per event: "2026-12-02T16:40:01.123Z moniker message".
final class LineLog: @unchecked Sendable {
    let moniker: String
    private let lock = NSLock()
    private let formatter: ISO8601DateFormatter

    init(moniker: String) {
        self.moniker = moniker
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    func write(_ message: String) {
        lock.withLock {
            let line = "\(formatter.string(from: Date())) \(moniker) \(message)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}

/// A message set on one thread and read on another.
final class LockedMessage: @unchecked Sendable {
    private let lock = NSLock()
    private var message: String?
    func set(_ text: String) { lock.withLock { message = text } }
    func get() -> String? { lock.withLock { message } }
}
