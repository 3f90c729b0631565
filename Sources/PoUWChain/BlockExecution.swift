/// The state transition of one block (docs/protocol.md, "Blocks"): header checks, the block's
/// beginning (sample seed), its transactions, its end (unbonding releases, epoch transition) and the
/// commitment. Runs inside one store write transaction; the caller commits or aborts it.
import PoUWConsensus
import PoUWCore
import PoUWStorage

struct BlockExecution {
    let chainId: String
    let parameters: ChainParameters
    let genesisHash: Hash32
    let tx: any WriteTransaction

    // MARK: Reading the position

    static func head(in tx: any ReadTransaction) throws -> ChainHead {
        func meta(_ key: String) throws -> [UInt8] {
            guard let bytes = try tx.get(ChainTables.meta, key) else {
                throw ChainError.storage("the chain meta entry \"\(key)\" is missing; the database is damaged")
            }
            return bytes
        }
        func hash(_ key: String) throws -> Hash32 {
            guard let value = Hash32(storageBytes: try meta(key)) else {
                throw ChainError.storage("the chain meta entry \"\(key)\" is not a hash; the database is damaged")
            }
            return value
        }
        func number(_ key: String) throws -> UInt64 {
            guard let value = UInt64(storageBytes: try meta(key)) else {
                throw ChainError.storage("the chain meta entry \"\(key)\" is not a number; the database is damaged")
            }
            return value
        }
        return ChainHead(
            height: try number(ChainTables.MetaKey.height), hash: try hash(ChainTables.MetaKey.headHash),
            stateCommitment: try hash(ChainTables.MetaKey.stateCommitment),
            timeMilliseconds: try number(ChainTables.MetaKey.headTime)
        )
    }

    static func epochInfo(_ epoch: UInt64, in tx: any ReadTransaction) throws -> EpochInfo? {
        if let current = try tx.get(ChainTables.epochs, epoch) { return current.value }
        return try tx.get(ChainTables.epochHistory, epoch)?.value
    }

    static func writeHead(_ head: ChainHead, in tx: any WriteTransaction) throws {
        try tx.put(ChainTables.meta, ChainTables.MetaKey.height, head.height.storageBytes)
        try tx.put(ChainTables.meta, ChainTables.MetaKey.headHash, head.hash.storageBytes)
        try tx.put(ChainTables.meta, ChainTables.MetaKey.stateCommitment, head.stateCommitment.storageBytes)
        try tx.put(ChainTables.meta, ChainTables.MetaKey.headTime, head.timeMilliseconds.storageBytes)
    }

    // MARK: Header

    /// Checks the fields of `header` that follow from the state before the block and returns the epoch
    /// the block belongs to. Does not check the roots or the state commitment.
    func checkHeader(_ header: BlockHeader, lastCommit: CommitCertificate?, head: ChainHead) throws -> EpochInfo {
        func fail(_ reason: String) -> ChainError { .invalidHeader(reason: reason) }
        guard header.chainId == chainId else { throw fail("chainId is \"\(header.chainId)\", expected \"\(chainId)\"") }
        guard header.height == head.height + 1 else {
            throw fail("height is \(header.height), the next height is \(head.height + 1)")
        }
        guard header.previousHash == head.hash else {
            throw fail("previousHash is \(header.previousHash), the head is \(head.hash)")
        }
        guard header.timeMilliseconds > head.timeMilliseconds else {
            throw fail("time \(header.timeMilliseconds) is not after the previous block's \(head.timeMilliseconds)")
        }
        let epochNumber = parameters.epoch(ofHeight: header.height)
        guard header.epoch == epochNumber else {
            throw fail("epoch is \(header.epoch), height \(header.height) is in epoch \(epochNumber)")
        }
        guard let epoch = try Self.epochInfo(epochNumber, in: tx) else {
            throw ChainError.storage("no record of epoch \(epochNumber); the database is damaged")
        }
        guard epoch.weight(of: header.proposer) > 0 else {
            throw fail("proposer \(header.proposer) is not a validator of epoch \(epochNumber)")
        }
        guard header.receiptsRoot == .zero else { throw fail("receiptsRoot must be zero until receipts exist") }
        guard header.lastCommitHash == Block.lastCommitHash(lastCommit) else {
            throw fail("lastCommitHash does not match the block's lastCommit")
        }
        if header.height == 1 {
            guard lastCommit == nil else { throw ChainError.invalidCommit(reason: "block 1 carries no lastCommit") }
        } else {
            guard let lastCommit else {
                throw ChainError.invalidCommit(
                    reason: "block \(header.height) must carry the commit of block \(head.height)"
                )
            }
            guard let previousEpoch = try Self.epochInfo(parameters.epoch(ofHeight: head.height), in: tx) else {
                throw ChainError.storage("no record of the epoch of height \(head.height); the database is damaged")
            }
            try lastCommit.checkStructure(
                height: head.height, blockHash: head.hash, weights: previousEpoch.weightTuples
            )
        }
        return epoch
    }

    /// Checks the transaction count, the encoded size and the transactions root of `block`.
    func checkContents(_ block: Block) throws(ChainError) {
        let countMax = Int(parameters.transactionsPerBlockMax)
        guard block.transactions.count <= countMax else {
            throw .invalidBlock(reason: "\(block.transactions.count) transactions, at most \(countMax) allowed")
        }
        let bytes = block.encodedByteCount
        guard bytes <= ChainLimits.blockBytesMax else {
            throw .invalidBlock(reason: "\(bytes) bytes, at most \(ChainLimits.blockBytesMax) allowed")
        }
        guard block.header.transactionsRoot == Block.transactionsRoot(block.transactions) else {
            throw .invalidBlock(reason: "transactionsRoot does not match the transactions")
        }
    }

    // MARK: Begin and end

    /// The block's first step: at height e·E + S + 1 the epoch's sample seed becomes the hash of block
    /// e·E + S (`previousHash`). Returns the epoch as the transactions see it.
    func begin(_ header: BlockHeader, epoch: EpochInfo) throws -> EpochInfo {
        guard header.height == parameters.sprintLastHeight(ofEpoch: epoch.epoch) + 1 else { return epoch }
        var updated = epoch
        updated.sampleSeed = header.previousHash
        try tx.put(ChainTables.epochs, epoch.epoch, WireValue(updated))
        return updated
    }

    /// The block's last step: releases due unbonding entries, and at an epoch's last height computes
    /// the next epoch.
    func end(_ header: BlockHeader) throws {
        try releaseUnbonding(upTo: header.height)
        let epochNumber = header.epoch
        if header.height == parameters.lastHeight(ofEpoch: epochNumber) {
            guard let epoch = try Self.epochInfo(epochNumber, in: tx) else {
                throw ChainError.storage("no record of epoch \(epochNumber); the database is damaged")
            }
            let transition = EpochTransition(parameters: parameters, tx: tx)
            try transition.advance(from: epoch, lastCommitHash: header.lastCommitHash)
        }
    }

    private func releaseUnbonding(upTo height: UInt64) throws {
        while true {
            let due = try tx.scan(ChainTables.unbonding, limit: 64).filter { entry in
                UInt64(storageBytes: Array(entry.key.prefix(8))).map { $0 <= height } ?? false
            }
            if due.isEmpty { return }
            for entry in due {
                let owner = PublicKey(Array(entry.key[8..<40]))
                var account = try tx.get(ChainTables.accounts, owner)?.value ?? .empty
                account.balance = try TransactionExecution.add(account.balance, entry.value, "a released balance")
                try tx.put(ChainTables.accounts, owner, WireValue(account))
                try tx.delete(ChainTables.unbonding, entry.key)
            }
        }
    }
}
