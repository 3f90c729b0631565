/// The chain state over a `KeyValueStore`: open, query, propose, validate and apply blocks.
///
/// Contracts:
/// - The store must have been opened with `ChainState.tables` (more tables are fine).
/// - `apply` runs in ONE store write transaction: a crash leaves the block fully applied or not at all.
/// - `proposeBlock` and `validate` execute in a write transaction that is always aborted: nothing persists.
/// - Calls that write (`apply`, `proposeBlock`, `validate`) must come from the store's one writer thread
///   (the node's loop thread); queries may run on any thread and see the last applied block.
/// - Every failure is a `ChainError`; storage failures arrive as `.storage`.
public import PoUWConsensus
public import PoUWCore
public import PoUWStorage

public struct ChainState: Sendable {
    /// The tables to open the store with.
    public static var tables: [any TableDeclaration] { ChainTables.all }

    public let store: any KeyValueStore
    public let genesis: Genesis
    public let genesisHash: Hash32

    public var parameters: ChainParameters { genesis.parameters }
    public var chainId: String { genesis.chainId }

    private init(store: any KeyValueStore, genesis: Genesis, genesisHash: Hash32) {
        self.store = store
        self.genesis = genesis
        self.genesisHash = genesisHash
    }

    /// Opens the chain in `store`: an empty store is initialised to height 0 from `genesis`; a store
    /// already initialised must come from the same genesis.
    /// - Throws: `.invalidGenesis`, `.genesisMismatch`, `.storage`.
    public static func open(store: any KeyValueStore, genesis: Genesis) throws(ChainError) -> ChainState {
        do { try genesis.validate() } catch { throw .invalidGenesis(error) }
        let state = ChainState(store: store, genesis: genesis, genesisHash: genesis.hash)
        try Self.mapped {
            try store.write { tx in
                if let stored = try tx.get(ChainTables.meta, ChainTables.MetaKey.genesisHash) {
                    let storedHash = Hash32(storageBytes: stored) ?? .zero
                    guard storedHash == state.genesisHash else {
                        throw ChainError.genesisMismatch(stored: storedHash, given: state.genesisHash)
                    }
                    return
                }
                try state.initialise(tx)
            }
        }
        return state
    }

    /// Writes the genesis state and the head at height 0.
    private func initialise(_ tx: any WriteTransaction) throws {
        for account in genesis.accounts {
            try tx.put(ChainTables.accounts, account.publicKey, WireValue(Account(balance: account.balance)))
        }
        for validator in genesis.validators where validator.collateral > 0 {
            try tx.put(ChainTables.bonded, validator.publicKey, validator.collateral)
        }
        let epoch = EpochInfo(
            epoch: 0, startHeight: 1, seed: genesis.epochZeroSeed, sampleSeed: nil,
            weights: genesis.weights.map { EpochWeight(key: $0.key, weight: $0.weight) }
        )
        try tx.put(ChainTables.epochs, 0, WireValue(epoch))
        try tx.put(ChainTables.parameters, ChainTables.parametersKey, WireValue(parameters))
        try tx.put(ChainTables.meta, ChainTables.MetaKey.genesisHash, genesisHash.storageBytes)
        let commitment = try StateCommitment.compute(in: tx, genesisHash: genesisHash, height: 0)
        let head = ChainHead(
            height: 0, hash: genesisHash, stateCommitment: commitment, timeMilliseconds: genesis.genesisTimeMilliseconds
        )
        try BlockExecution.writeHead(head, in: tx)
    }

    // MARK: Queries

    /// The last applied block's height, hash, state commitment and time.
    public func head() throws(ChainError) -> ChainHead {
        try Self.mapped { try store.read { tx in try BlockExecution.head(in: tx) } }
    }

    /// The account of `key` (balance 0, nonce 0 when never seen).
    public func account(_ key: PublicKey) throws(ChainError) -> Account {
        try Self.mapped { try store.read { tx in try tx.get(ChainTables.accounts, key)?.value ?? .empty } }
    }

    /// The collateral `key` has bonded.
    public func bonded(_ key: PublicKey) throws(ChainError) -> UInt64 {
        try Self.mapped { try store.read { tx in try tx.get(ChainTables.bonded, key) ?? 0 } }
    }

    /// `key`'s unbonding entries, by release height.
    public func unbonding(_ key: PublicKey) throws(ChainError) -> [(releaseHeight: UInt64, amount: UInt64)] {
        try Self.mapped {
            try store.read { tx in
                try tx.scanAll(ChainTables.unbonding).compactMap { entry in
                    guard Array(entry.key[8..<40]) == key.bytes else { return nil }
                    return (UInt64(storageBytes: Array(entry.key.prefix(8))) ?? 0, entry.value)
                }
            }
        }
    }

    /// The registration of host `key`, if any.
    public func host(_ key: PublicKey) throws(ChainError) -> HostInfo? {
        try Self.mapped { try store.read { tx in try tx.get(ChainTables.hosts, key)?.value } }
    }

    /// Every registered host, sorted by key (the host registry is bounded by who can pay a transaction).
    public func hosts() throws(ChainError) -> [(key: PublicKey, info: HostInfo)] {
        try Self.mapped {
            try store.read { tx in try tx.scanAll(ChainTables.hosts).map { ($0.key, $0.value.value) } }
        }
    }

    /// What the chain knows about `epoch`, or `nil` for an epoch not reached yet.
    public func epochInfo(_ epoch: UInt64) throws(ChainError) -> EpochInfo? {
        try Self.mapped { try store.read { tx in try BlockExecution.epochInfo(epoch, in: tx) } }
    }

    /// The validators of `epoch` with their weights, sorted by key (empty for an unknown epoch).
    public func validators(epoch: UInt64) throws(ChainError) -> [(key: PublicKey, weight: UInt64)] {
        try epochInfo(epoch)?.weightTuples ?? []
    }

    /// The weights that vote on the next block (the epoch of height head + 1).
    public func currentWeights() throws(ChainError) -> [(key: PublicKey, weight: UInt64)] {
        let next = try head().height + 1
        return try validators(epoch: parameters.epoch(ofHeight: next))
    }

    /// The Sprint commit of `participant` in the current epoch, if any.
    public func sprintCommit(epoch: UInt64, participant: PublicKey) throws(ChainError) -> SprintCommitRecord? {
        let key = ChainTables.sprintCommitKey(epoch: epoch, participant: participant)
        return try Self.mapped { try store.read { tx in try tx.get(ChainTables.sprintCommits, key)?.value } }
    }

    /// The applied block at `height`, if any.
    public func block(at height: UInt64) throws(ChainError) -> Block? {
        try Self.mapped { try store.read { tx in try tx.get(ChainTables.blocks, height)?.value } }
    }

    /// The certificate that made the block at `height` final, if applied.
    public func commit(at height: UInt64) throws(ChainError) -> CommitCertificate? {
        try Self.mapped { try store.read { tx in try tx.get(ChainTables.commits, height)?.value } }
    }

    /// Balances plus bonded plus unbonding amounts: equal to `genesis.totalSupply` at every height.
    public func totalSupply() throws(ChainError) -> UInt64 {
        try Self.mapped {
            try store.read { tx in
                var total: UInt64 = 0
                let amounts = try tx.scanAll(ChainTables.accounts).map(\.value.value.balance)
                    + tx.scanAll(ChainTables.bonded).map(\.value) + tx.scanAll(ChainTables.unbonding).map(\.value)
                for amount in amounts { total = try TransactionExecution.add(total, amount, "the total supply") }
                return total
            }
        }
    }

    /// The state commitment recomputed from the stored state (equals `head().stateCommitment` unless the
    /// database was damaged).
    public func recomputeStateCommitment() throws(ChainError) -> Hash32 {
        try Self.mapped {
            try store.read { tx in
                let head = try BlockExecution.head(in: tx)
                return try StateCommitment.compute(in: tx, genesisHash: genesisHash, height: head.height)
            }
        }
    }

    // MARK: Errors

    /// Runs `body`, passing `ChainError`s through and turning every other error into `.storage`.
    static func mapped<T>(_ body: () throws -> T) throws(ChainError) -> T {
        do {
            return try body()
        } catch let error as ChainError {
            throw error
        } catch {
            throw .storage(String(describing: error))
        }
    }
}
