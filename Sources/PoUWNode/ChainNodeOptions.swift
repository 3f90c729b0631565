/// What a `ChainNode` needs to run: its identity, the chain it joins, where it keeps data, how it
/// reaches peers, and the Sprint workload.
public import PoUWAPI
public import PoUWChain
public import PoUWCrypto
public import PoUWConsensus
public import PoUWWork

/// The settings of one chain node.
public struct ChainNodeOptions: Sendable {
    /// The node's key: its P2P identity, its validator key and the sender of its own transactions.
    public var identity: KeyPair
    public var genesis: Genesis
    /// Where the node's LMDB environments live (`chain/` and `consensus/` inside it).
    public var dataPath: String
    public var p2p: P2PConfig
    /// "host:port" of the HTTP API; nil: no API.
    public var apiListen: String?
    public var moniker: String
    /// Computes Sprint artifacts; nil: this node takes no part in the Sprint (it verifies nothing either).
    public var sprintWork: (any SprintWork)?
    public var timeouts: ConsensusTimeouts
    /// Writes one human-readable log line.
    public var log: @Sendable (String) -> Void
    /// Before joining: recompute the stored state's commitment and replay every stored block from genesis.
    public var verifyOnStart = false
    /// Runs the API's OpenAI-compatible `/v1` requests (its own model instance); nil: they are answered 503.
    public var inference: (any InferenceAPIBackend)?

    public init(
        identity: KeyPair, genesis: Genesis, dataPath: String, p2p: P2PConfig, apiListen: String?, moniker: String,
        sprintWork: (any SprintWork)?, timeouts: ConsensusTimeouts = ConsensusTimeouts(),
        log: @escaping @Sendable (String) -> Void
    ) {
        self.identity = identity
        self.genesis = genesis
        self.dataPath = dataPath
        self.p2p = p2p
        self.apiListen = apiListen
        self.moniker = moniker
        self.sprintWork = sprintWork
        self.timeouts = timeouts
        self.log = log
    }
}

/// Why a chain node stopped or could not start.
public enum ChainNodeError: Error, CustomStringConvertible {
    case storage(String)
    case chain(String)
    case api(String)
    case p2p(String)
    /// This node's state differs from the network's: it halts rather than fork silently.
    case halted(String)

    public var description: String {
        switch self {
        case .storage(let reason): "storage: \(reason)"
        case .chain(let reason): "chain state: \(reason)"
        case .api(let reason): "HTTP API: \(reason)"
        case .p2p(let reason): "P2P: \(reason)"
        case .halted(let reason): "HALTED: \(reason)"
        }
    }
}
