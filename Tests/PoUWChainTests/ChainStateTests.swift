import Foundation
import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import PoUWStorage
import Testing

@Suite struct ChainStateTests {
    @Test("an empty store opens at height 0 with the genesis balances, bonds and weights")
    func opensAtGenesis() throws {
        let chain = try ChainFixture()
        let head = try chain.state.head()
        #expect(head.height == 0)
        #expect(head.hash == chain.genesis.hash)
        #expect(head.stateCommitment == (try chain.state.recomputeStateCommitment()))
        let validator = chain.validatorKeys[0].publicKey
        #expect(try chain.state.account(validator) == Account(balance: Genesis.devnetBalance, nonce: 0))
        #expect(try chain.state.bonded(validator) == Genesis.devnetCollateral)
        #expect(try chain.state.currentWeights().map(\.weight) == [100, 100, 100, 100])
        #expect(try chain.state.totalSupply() == chain.genesis.totalSupply)
        let epoch = try #require(try chain.state.epochInfo(0))
        #expect(epoch.seed == chain.genesis.epochZeroSeed)
    }

    @Test("a transfer moves the amount, pays the fee to the proposer and advances the nonce")
    func transferApplies() throws {
        let chain = try ChainFixture()
        let alice = chain.userKeys[0]
        let bob = chain.userKeys[1].publicKey
        let proposer = try chain.nextProposer()
        let proposerBefore = try chain.state.account(proposer).balance
        let block = try chain.advance([try chain.sign(.transfer(to: bob, amount: 1000), from: alice, fee: 7)])
        #expect(block.transactions.count == 1)
        #expect(try chain.state.account(alice.publicKey) == Account(balance: ChainFixture.userBalance - 1007, nonce: 1))
        #expect(try chain.state.account(bob).balance == ChainFixture.userBalance + 1000)
        #expect(try chain.state.account(proposer).balance == proposerBefore + 7)
        #expect(try chain.state.head().height == 1)
        #expect(try chain.state.block(at: 1) == block)
        #expect(try chain.state.commit(at: 1)?.blockHash == block.hash)
    }

    @Test("registered hosts are listed by key, and a second registration replaces the first")
    func hostsAreListed() throws {
        let chain = try ChainFixture()
        let (alice, bob) = (chain.userKeys[0], chain.userKeys[1])
        #expect(try chain.state.hosts().isEmpty)
        let first = HostInfo(models: ["m1"], apiEndpoint: "http://a", hardwareClass: "cpu")
        let second = HostInfo(models: ["m2", "m3"], apiEndpoint: "http://b", hardwareClass: "gpu")
        _ = try chain.advance([
            try chain.sign(.registerHost(first), from: alice, fee: 1),
            try chain.sign(.registerHost(first), from: bob, fee: 1),
        ])
        _ = try chain.advance([try chain.sign(.registerHost(second), from: alice, fee: 1)])
        let hosts = try chain.state.hosts()
        #expect(hosts.map(\.key) == [alice.publicKey, bob.publicKey].sorted())
        #expect(hosts.first { $0.key == alice.publicKey }?.info == second)
        #expect(hosts.first { $0.key == bob.publicKey }?.info == first)
    }

    @Test("the proposer skips invalid candidates: replayed nonce, wrong chain, forged, too poor, low fee, nonce gap")
    func proposerSkipsInvalidTransactions() throws {
        let chain = try ChainFixture()
        let alice = chain.userKeys[0]
        let bob = chain.userKeys[1].publicKey
        let good = try chain.sign(.transfer(to: bob, amount: 1), from: alice)
        let replay = good
        let wrongChain = SignedTransaction.sign(
            Transaction(chainId: "other", sender: alice.publicKey, nonce: 1, fee: 1, body: .bond(amount: 1)),
            with: alice
        )
        var forged = try chain.sign(.bond(amount: 1), from: alice, nonceOffset: 1)
        forged.transaction.body = .bond(amount: 2)
        let tooPoor = try chain.sign(.transfer(to: bob, amount: ChainFixture.userBalance), from: alice, nonceOffset: 1)
        let lowFee = try chain.sign(.bond(amount: 1), from: alice, fee: 0, nonceOffset: 1)
        let gap = try chain.sign(.bond(amount: 1), from: alice, nonceOffset: 2)
        let block = try chain.propose([good, replay, wrongChain, forged, tooPoor, lowFee, gap])
        #expect(block.transactions == [good])
    }

    @Test("a block that replays a nonce, has a forged signature or the wrong chain id is refused")
    func invalidTransactionsMakeTheBlockInvalid() throws {
        let chain = try ChainFixture()
        let alice = chain.userKeys[0]
        let transfer = try chain.sign(.transfer(to: chain.userKeys[1].publicKey, amount: 5), from: alice)
        try chain.advance([transfer])
        let replayed = try chain.propose([])
        var withReplay = replayed
        withReplay.transactions = [transfer]
        withReplay.header.transactionsRoot = Block.transactionsRoot([transfer])
        let error = #expect(throws: ChainError.self) { try chain.state.validate(withReplay) }
        #expect(error?.description.contains("transaction 0: sender") == true)
        #expect(error?.description.contains("nonce 1") == true)

        let wrongChain = SignedTransaction.sign(
            Transaction(chainId: "other", sender: alice.publicKey, nonce: 1, fee: 1, body: .bond(amount: 1)),
            with: alice
        )
        var forged = try chain.sign(.bond(amount: 1), from: alice)
        forged.transaction.fee = 2
        for bad in [wrongChain, forged] {
            var block = replayed
            block.transactions = [bad]
            block.header.transactionsRoot = Block.transactionsRoot([bad])
            #expect(throws: ChainError.self) { try chain.state.validate(block) }
        }
        #expect(try chain.state.head().height == 1)
    }

    @Test("validate() of a valid or invalid block changes nothing")
    func validateChangesNothing() throws {
        let chain = try ChainFixture()
        let alice = chain.userKeys[0]
        let block = try chain.propose([try chain.sign(.bond(amount: 10), from: alice)])
        let headBefore = try chain.state.head()
        let commitmentBefore = try chain.state.recomputeStateCommitment()
        try chain.state.validate(block)
        try chain.state.validate(block)
        var tampered = block
        tampered.header.stateCommitment = .zero
        #expect(throws: ChainError.self) { try chain.state.validate(tampered) }
        #expect(try chain.state.head() == headBefore)
        #expect(try chain.state.recomputeStateCommitment() == commitmentBefore)
        #expect(try chain.state.account(alice.publicKey).nonce == 0)
        #expect(try chain.state.bonded(alice.publicKey) == 0)
        try chain.state.apply(block, commit: try chain.certify(block))
        #expect(try chain.state.bonded(alice.publicKey) == 10)
    }

    @Test("a header whose state commitment differs from execution raises stateCommitmentMismatch")
    func tamperedCommitmentIsDetected() throws {
        let chain = try ChainFixture()
        let block = try chain.propose([try chain.sign(.bond(amount: 10), from: chain.userKeys[0])])
        var tampered = block
        tampered.header.stateCommitment = Hash32([UInt8](repeating: 0xab, count: 32))
        #expect(throws: ChainError.stateCommitmentMismatch(
            height: 1, expected: tampered.header.stateCommitment, actual: block.header.stateCommitment
        )) {
            try chain.state.apply(tampered, commit: try chain.certify(tampered))
        }
        #expect(try chain.state.head().height == 0)
    }

    @Test("header fields that do not follow from the head are refused")
    func headerChecks() throws {
        let chain = try ChainFixture()
        try chain.advance()
        let block = try chain.propose([])
        var variants: [Block] = []
        var b = block; b.header.height += 1; variants.append(b)
        b = block; b.header.previousHash = .zero; variants.append(b)
        b = block; b.header.chainId = "pouw-other"; variants.append(b)
        b = block; b.header.epoch = 1; variants.append(b)
        b = block; b.header.timeMilliseconds = chain.genesis.genesisTimeMilliseconds; variants.append(b)
        b = block; b.header.proposer = chain.userKeys[0].publicKey; variants.append(b)
        b = block; b.header.receiptsRoot = MerkleTree.emptyRoot; variants.append(b)
        b = block; b.lastCommit = nil; variants.append(b)
        b = block; b.header.transactionsRoot = .zero; variants.append(b)
        for variant in variants {
            #expect(throws: ChainError.self) { try chain.state.validate(variant) }
        }
        try chain.state.validate(block)
    }

    @Test("apply refuses a certificate for another block or without a 2/3 quorum")
    func applyChecksTheCertificate() throws {
        let chain = try ChainFixture()
        let block = try chain.propose([])
        let good = try chain.certify(block)
        var otherBlock = good
        otherBlock.blockHash = .zero
        let weak = CommitCertificate(
            height: good.height, round: 0, blockHash: good.blockHash, precommits: Array(good.precommits.prefix(2))
        )
        #expect(throws: ChainError.self) { try chain.state.apply(block, commit: otherBlock) }
        #expect(throws: ChainError.self) { try chain.state.apply(block, commit: weak) }
        try chain.state.apply(block, commit: good)
    }

    @Test("a chain applied on LMDB reopens with the same head and commitment, and refuses another genesis")
    func lmdbReopen() throws {
        let directory = ChainFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var head: ChainHead
        do {
            let store = try LMDBStore(
                directory: directory.path, tables: ChainState.tables,
                options: LMDBOptions(durability: .unsafeNoSyncForTests)
            )
            defer { store.close() }
            let chain = try ChainFixture(store: store)
            for index in 0..<12 {
                let sender = chain.userKeys[index % chain.userKeys.count]
                let body = TransactionBody.transfer(to: chain.validatorKeys[0].publicKey, amount: 3)
                try chain.advance([try chain.sign(body, from: sender)])
            }
            head = try chain.state.head()
            #expect(head.height == 12)
        }
        let store = try LMDBStore(directory: directory.path, tables: ChainState.tables)
        defer { store.close() }
        let genesis = try ChainFixture().genesis
        let reopened = try ChainState.open(store: store, genesis: genesis)
        #expect(try reopened.head() == head)
        #expect(try reopened.recomputeStateCommitment() == head.stateCommitment)
        #expect(try ChainState.replay(reopened).head == head)
        var other = genesis
        other.chainId = "pouw-other"
        #expect(throws: ChainError.genesisMismatch(stored: genesis.hash, given: other.hash)) {
            try ChainState.open(store: store, genesis: other)
        }
    }

    @Test("verify() passes on an intact chain and reports a damaged balance or a damaged block")
    func verifyDetectsDamage() throws {
        let chain = try ChainFixture()
        for _ in 0..<3 {
            let body = TransactionBody.transfer(to: chain.userKeys[1].publicKey, amount: 9)
            try chain.advance([try chain.sign(body, from: chain.userKeys[0])])
        }
        #expect(try chain.state.verify().blocks == 3)
        // Damage a balance behind the chain's back (same table name, raw bytes).
        let accounts = Table<PublicKey, [UInt8]>("chain.accounts")
        let victim = chain.userKeys[1].publicKey
        let original = try #require(try chain.state.store.read { tx in try tx.get(accounts, victim) })
        var damaged = original
        damaged[0] ^= 1
        try chain.state.store.write { tx in try tx.put(accounts, victim, damaged) }
        #expect(throws: ChainError.self) { try chain.state.verify() }
        try chain.state.store.write { tx in try tx.put(accounts, victim, original) }
        _ = try chain.state.verify()
        // Damage a stored block: replay refuses it.
        let blocks = Table<UInt64, [UInt8]>("chain.blocks")
        let stored = try #require(try chain.state.store.read { tx in try tx.get(blocks, 2) })
        var broken = stored
        broken[broken.count - 10] ^= 1
        try chain.state.store.write { tx in try tx.put(blocks, 2, broken) }
        #expect(throws: ChainError.self) { try chain.state.verify() }
    }

    @Test("unbonded collateral returns to the balance exactly unbondingBlocks later")
    func unbondingIsReleased() throws {
        let chain = try ChainFixture()
        let proposer = try chain.nextProposer()
        let validator = try #require(chain.validatorKeys.first { $0.publicKey != proposer })
        let before = try chain.state.account(validator.publicKey).balance
        try chain.advance([try chain.sign(.unbond(amount: 400), from: validator, fee: 2)])
        let unbondHeight = try chain.state.head().height
        let release = unbondHeight + chain.genesis.parameters.unbondingBlocks
        #expect(try chain.state.bonded(validator.publicKey) == Genesis.devnetCollateral - 400)
        #expect(try chain.state.unbonding(validator.publicKey).map(\.releaseHeight) == [release])
        try chain.advance(to: release - 1)
        #expect(try chain.nextProposer() == proposer)
        #expect(try chain.state.account(validator.publicKey).balance == before - 2)
        #expect(try chain.state.unbonding(validator.publicKey).count == 1)
        try chain.advance()
        #expect(try chain.state.unbonding(validator.publicKey).isEmpty)
        #expect(try chain.state.account(validator.publicKey).balance == before - 2 + 400)
        #expect(try chain.state.totalSupply() == chain.genesis.totalSupply)
    }

    @Test("zero amounts, invalid recipients and ill-formed host registrations are skipped by the proposer")
    func bodyChecks() throws {
        let chain = try ChainFixture()
        let user = chain.userKeys[0]
        let notAPoint = PublicKey([UInt8](repeating: 0, count: 32))
        let bad = HostInfo(models: [], apiEndpoint: "http://h", hardwareClass: "cpu")
        for body in [
            TransactionBody.transfer(to: chain.userKeys[1].publicKey, amount: 0), .transfer(to: notAPoint, amount: 5),
            .bond(amount: 0), .unbond(amount: 0), .registerHost(bad),
        ] {
            #expect(try chain.propose([try chain.sign(body, from: user)]).transactions.isEmpty, "\(body)")
        }
    }

    @Test("the proposer stops at transactionsPerBlockMax and a longer block is refused")
    func transactionCountIsBounded() throws {
        var parameters = ChainFixture.fastParameters
        parameters.transactionsPerBlockMax = 3
        let chain = try ChainFixture(parameters: parameters)
        let user = chain.userKeys[0]
        let candidates = try (0..<5 as Range<UInt64>).map { offset in
            try chain.sign(.bond(amount: 1), from: user, nonceOffset: offset)
        }
        let block = try chain.propose(candidates)
        #expect(block.transactions == Array(candidates.prefix(3)))
        var long = block
        long.transactions = Array(candidates.prefix(4))
        long.header.transactionsRoot = Block.transactionsRoot(long.transactions)
        #expect(throws: ChainError.invalidBlock(reason: "4 transactions, at most 3 allowed")) {
            try chain.state.validate(long)
        }
    }

    @Test("a proposer that sends a transaction pays its fee to itself")
    func proposerPaysItself() throws {
        let chain = try ChainFixture()
        let proposer = try #require(chain.validatorKeys.first { $0.publicKey == (try? chain.nextProposer()) })
        let before = try chain.state.account(proposer.publicKey).balance
        let body = TransactionBody.transfer(to: chain.userKeys[0].publicKey, amount: 10)
        try chain.advance([try chain.sign(body, from: proposer, fee: 4)])
        #expect(try chain.state.account(proposer.publicKey).balance == before - 10)
    }

    @Test("unbonding more than is bonded is skipped by the proposer")
    func overUnbondIsRefused() throws {
        let chain = try ChainFixture()
        let user = chain.userKeys[0]
        let block = try chain.propose([try chain.sign(.unbond(amount: 1), from: user)])
        #expect(block.transactions.isEmpty)
    }
}
