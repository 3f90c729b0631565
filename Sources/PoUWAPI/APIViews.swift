/// The JSON documents of the API. Keys, hashes and ids are lower-case hex strings; amounts, heights and
/// counts are JSON numbers (`UInt64`); times are Unix milliseconds.

/// A validator's key and voting weight.
public struct WeightView: Codable, Sendable, Hashable {
    /// The validator's Ed25519 public key, hex.
    public var key: String
    public var weight: UInt64

    public init(key: String, weight: UInt64) {
        self.key = key
        self.weight = weight
    }
}

/// Percentiles of a latency over a recent window; `nil` before any sample.
public struct LatencyView: Codable, Sendable, Hashable {
    public var p50: Double?
    public var p99: Double?
    /// How many samples the window holds.
    public var samples: Int

    public init(p50: Double?, p99: Double?, samples: Int) {
        self.p50 = p50
        self.p99 = p99
        self.samples = samples
    }

    private enum CodingKeys: String, CodingKey {
        case p50, p99, samples
    }

    /// Writes absent percentiles as `null`, so the document always has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(p50, forKey: .p50)
        try container.encode(p99, forKey: .p99)
        try container.encode(samples, forKey: .samples)
    }
}

/// The three phases of an epoch.
public enum EpochPhase: String, Codable, Sendable, Hashable, CaseIterable {
    case sprint
    case verify
    case serve
}

/// `GET /status`: the node, its chain head, its epoch and consensus position, its peers and validators.
public struct StatusView: Codable, Sendable, Hashable {
    public var chainId: String
    public var moniker: String
    /// This node's public key, hex.
    public var nodeKey: String
    /// Height of the last committed block (0 before genesis is committed).
    public var height: UInt64
    /// Hash of the last committed block, hex.
    public var headHash: String
    public var epoch: UInt64
    public var phase: EpochPhase
    public var epochStartHeight: UInt64
    public var nextEpochHeight: UInt64
    /// Consensus round at `height + 1`.
    public var round: UInt32
    /// Consensus step at `height + 1` (`propose`, `prevote`, `precommit`, `commit`).
    public var step: String
    /// Number of connected peers (`peerKeys.count`).
    public var peers: Int
    public var peerKeys: [String]
    public var validators: [WeightView]
    public var totalWeight: UInt64
    /// Unix milliseconds of the last committed block.
    public var lastBlockTimeMs: UInt64
    /// Proposal-to-commit latency over the recent window, milliseconds.
    public var finalityLatencyMs: LatencyView
    public var mempoolSize: Int
    public var isSyncing: Bool
    public var isValidator: Bool

    public init(
        chainId: String, moniker: String, nodeKey: String, height: UInt64, headHash: String, epoch: UInt64,
        phase: EpochPhase, epochStartHeight: UInt64, nextEpochHeight: UInt64, round: UInt32, step: String,
        peerKeys: [String], validators: [WeightView], totalWeight: UInt64, lastBlockTimeMs: UInt64,
        finalityLatencyMs: LatencyView, mempoolSize: Int, isSyncing: Bool, isValidator: Bool
    ) {
        self.chainId = chainId
        self.moniker = moniker
        self.nodeKey = nodeKey
        self.height = height
        self.headHash = headHash
        self.epoch = epoch
        self.phase = phase
        self.epochStartHeight = epochStartHeight
        self.nextEpochHeight = nextEpochHeight
        self.round = round
        self.step = step
        self.peers = peerKeys.count
        self.peerKeys = peerKeys
        self.validators = validators
        self.totalWeight = totalWeight
        self.lastBlockTimeMs = lastBlockTimeMs
        self.finalityLatencyMs = finalityLatencyMs
        self.mempoolSize = mempoolSize
        self.isSyncing = isSyncing
        self.isValidator = isValidator
    }
}

/// One transaction of a block, summarised.
public struct TransactionView: Codable, Sendable, Hashable {
    /// The transaction id, hex.
    public var id: String
    /// The sender's public key, hex.
    public var sender: String
    public var nonce: UInt64
    /// The transaction kind (`transfer`, `bond`, …).
    public var kind: String
    /// One human line: amounts, recipient, and so on.
    public var summary: String

    public init(id: String, sender: String, nonce: UInt64, kind: String, summary: String) {
        self.id = id
        self.sender = sender
        self.nonce = nonce
        self.kind = kind
        self.summary = summary
    }
}

/// `GET /blocks/{height}`: a committed block and the certificate that committed it.
public struct BlockView: Codable, Sendable, Hashable {
    public var height: UInt64
    public var hash: String
    /// The proposer's timestamp, Unix milliseconds.
    public var time: UInt64
    /// The proposer's public key, hex.
    public var proposer: String
    public var epoch: UInt64
    public var stateCommitment: String
    public var previousHash: String
    /// Number of transactions (`transactions.count`).
    public var txCount: Int
    public var transactions: [TransactionView]
    /// The round whose precommits committed the block.
    public var commitRound: UInt32
    /// Public keys (hex) of the validators whose precommits form the commit certificate.
    public var commitVoters: [String]

    public init(
        height: UInt64, hash: String, time: UInt64, proposer: String, epoch: UInt64, stateCommitment: String,
        previousHash: String, transactions: [TransactionView], commitRound: UInt32, commitVoters: [String]
    ) {
        self.height = height
        self.hash = hash
        self.time = time
        self.proposer = proposer
        self.epoch = epoch
        self.stateCommitment = stateCommitment
        self.previousHash = previousHash
        self.txCount = transactions.count
        self.transactions = transactions
        self.commitRound = commitRound
        self.commitVoters = commitVoters
    }
}

/// `GET /accounts/{key}`: an account's balances and next nonce.
public struct AccountView: Codable, Sendable, Hashable {
    /// The account's address (bech32m).
    public var address: String
    /// The account's public key, hex.
    public var key: String
    /// Spendable balance.
    public var balance: UInt64
    /// The account's nonce in the chain state: its next transaction in a block must carry it.
    public var nonce: UInt64
    /// The nonce a new transaction should carry at this node: `nonce` plus the account's transactions
    /// waiting in this node's mempool.
    public var nextNonce: UInt64
    /// Stake bonded to validation.
    public var bonded: UInt64
    /// Stake on its way out (still slashable, not spendable).
    public var unbonding: UInt64

    public init(
        address: String, key: String, balance: UInt64, nonce: UInt64, nextNonce: UInt64? = nil, bonded: UInt64,
        unbonding: UInt64
    ) {
        self.address = address
        self.key = key
        self.balance = balance
        self.nonce = nonce
        self.nextNonce = nextNonce ?? nonce
        self.bonded = bonded
        self.unbonding = unbonding
    }
}

/// `GET /epochs/{n}`: an epoch's seed and validator weights.
public struct EpochView: Codable, Sendable, Hashable {
    public var number: UInt64
    public var startHeight: UInt64
    /// The epoch seed, hex.
    public var seed: String
    public var weights: [WeightView]
    /// Number of Sprint commitments recorded in the epoch so far.
    public var sprintCommits: Int

    public init(number: UInt64, startHeight: UInt64, seed: String, weights: [WeightView], sprintCommits: Int) {
        self.number = number
        self.startHeight = startHeight
        self.seed = seed
        self.weights = weights
        self.sprintCommits = sprintCommits
    }
}

/// `POST /txs` answer (202): the accepted transaction's id.
public struct SubmittedView: Codable, Sendable, Hashable {
    /// The transaction id, hex.
    public var id: String

    public init(id: String) {
        self.id = id
    }
}

/// `GET /hosts` entry: a registered host and its weight in the current epoch.
public struct HostView: Codable, Sendable, Hashable {
    /// The host's public key, hex.
    public var key: String
    public var models: [String]
    public var apiEndpoint: String
    public var hardwareClass: String
    /// Weight in the current epoch (0: not a validator this epoch).
    public var weight: UInt64

    public init(key: String, models: [String], apiEndpoint: String, hardwareClass: String, weight: UInt64) {
        self.key = key
        self.models = models
        self.apiEndpoint = apiEndpoint
        self.hardwareClass = hardwareClass
        self.weight = weight
    }
}
