import Foundation
import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import PoUWStorage

/// A devnet chain in a store, with the keys of its validators and of extra test accounts, that
/// proposes, certifies and applies blocks the way the node will.
final class ChainFixture {
    let genesis: Genesis
    let state: ChainState
    /// Every key the fixture can sign with, by public key.
    private(set) var keys: [PublicKey: KeyPair] = [:]
    let validatorKeys: [KeyPair]
    /// Extra funded accounts (not validators).
    let userKeys: [KeyPair]
    private(set) var time: UInt64

    static let userBalance: UInt64 = 5_000_000

    /// A devnet of `validatorCount` validators plus `userCount` funded users.
    init(
        validatorCount: Int = 4, userCount: Int = 4, parameters: ChainParameters = ChainFixture.fastParameters,
        store: (any KeyValueStore)? = nil
    ) throws {
        validatorKeys = (0..<validatorCount).map { Genesis.devnetKeyPair(index: $0) }
        userKeys = (0..<userCount).map { Genesis.devnetKeyPair(index: 1000 + $0) }
        var genesis = Genesis.devnet(validatorCount: validatorCount, parameters: parameters)
        genesis.accounts += userKeys.map { GenesisAccount(publicKey: $0.publicKey, balance: Self.userBalance) }
        self.genesis = genesis
        for key in validatorKeys + userKeys { keys[key.publicKey] = key }
        state = try ChainState.open(store: store ?? MemoryStore(tables: ChainState.tables), genesis: genesis)
        time = genesis.genesisTimeMilliseconds
    }

    /// Short epochs so that tests cross several.
    static var fastParameters: ChainParameters {
        var parameters = ChainParameters()
        parameters.epochLength = 10
        parameters.sprintLength = 4
        parameters.unbondingBlocks = 12
        parameters.sprintVerifiers = 2
        parameters.minimumFee = 1
        return parameters
    }

    func addKey(_ key: KeyPair) { keys[key.publicKey] = key }

    /// A signed transaction from `sender` with its current account nonce (plus `nonceOffset`).
    func sign(
        _ body: TransactionBody, from sender: KeyPair, fee: UInt64 = 1, nonceOffset: UInt64 = 0
    ) throws -> SignedTransaction {
        let nonce = try state.account(sender.publicKey).nonce + nonceOffset
        let transaction = Transaction(
            chainId: genesis.chainId, sender: sender.publicKey, nonce: nonce, fee: fee, body: body
        )
        return SignedTransaction.sign(transaction, with: sender)
    }

    /// The proposer of the next block: the first validator of the current weights.
    func nextProposer() throws -> PublicKey {
        try state.currentWeights()[0].key
    }

    /// Proposes the next block with `candidates` (invalid ones are skipped).
    func propose(_ candidates: [SignedTransaction]) throws -> Block {
        let head = try state.head()
        time += 1000
        return try state.proposeBlock(
            height: head.height + 1, time: time, proposer: try nextProposer(), candidates: candidates,
            lastCommit: try state.commit(at: head.height)
        )
    }

    /// The certificate of `block`, precommitted and signed by every validator of its epoch.
    func certify(_ block: Block) throws -> CommitCertificate {
        let weights = try state.validators(epoch: block.header.epoch)
        let votes = weights.map { entry in
            var vote = Vote(
                kind: .precommit, height: block.header.height, round: 0, blockHash: block.hash, voter: entry.key
            )
            if let key = keys[entry.key] {
                vote.signature = key.sign(payload: vote.signingPayload, kind: .vote, chainId: genesis.chainId)
            }
            return vote
        }
        return CommitCertificate(height: block.header.height, round: 0, blockHash: block.hash, precommits: votes)
    }

    /// Proposes, certifies and applies the next block; returns it.
    @discardableResult
    func advance(_ candidates: [SignedTransaction] = []) throws -> Block {
        let block = try propose(candidates)
        try state.apply(block, commit: try certify(block))
        return block
    }

    /// Applies empty blocks until the head is at `height`.
    func advance(to height: UInt64) throws {
        while try state.head().height < height { try advance() }
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("pouw-chain-\(UUID().uuidString)")
    }
}
