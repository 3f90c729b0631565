import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import PoUWWire
import Testing

@Suite struct BlockTests {
    static func header(height: UInt64 = 7) -> BlockHeader {
        BlockHeader(
            chainId: "pouw-test", height: height, timeMilliseconds: 1_700_000_000_000,
            previousHash: Hash32([UInt8](repeating: 1, count: 32)), proposer: Genesis.devnetKeyPair(index: 0).publicKey,
            epoch: 0, stateCommitment: Hash32([UInt8](repeating: 2, count: 32)),
            transactionsRoot: MerkleTree.emptyRoot, receiptsRoot: .zero, lastCommitHash: .zero
        )
    }

    static func block() -> Block {
        let key = Genesis.devnetKeyPair(index: 0)
        let transactions = (0..<3).map { nonce in
            SignedTransaction.sign(
                Transaction(
                    chainId: "pouw-test", sender: key.publicKey, nonce: UInt64(nonce), fee: 1, body: .bond(amount: 5)
                ),
                with: key
            )
        }
        let vote = Vote(kind: .precommit, height: 6, round: 1, blockHash: .zero, voter: key.publicKey)
        var header = header()
        header.transactionsRoot = Block.transactionsRoot(transactions)
        let commit = CommitCertificate(height: 6, round: 1, blockHash: .zero, precommits: [vote])
        header.lastCommitHash = Block.lastCommitHash(commit)
        return Block(header: header, transactions: transactions, lastCommit: commit)
    }

    @Test("a block with transactions and a last commit round-trips and re-encodes to the same bytes")
    func wireRoundTrip() throws {
        let block = Self.block()
        let bytes = Wire.encode(block)
        let decoded = try Wire.decode(Block.self, from: bytes)
        #expect(decoded == block)
        #expect(Wire.encode(decoded) == bytes)
        #expect(block.encodedByteCount == bytes.count)
        let first = Block(header: Self.header(height: 1), transactions: [], lastCommit: nil)
        #expect(try Wire.decode(Block.self, from: Wire.encode(first)) == first)
    }

    @Test("the header hash changes with every field")
    func headerHashCoversEveryField() {
        let base = Self.header()
        var variants: [BlockHeader] = []
        var h = base; h.chainId = "pouw-other"; variants.append(h)
        h = base; h.height += 1; variants.append(h)
        h = base; h.timeMilliseconds += 1; variants.append(h)
        h = base; h.previousHash = .zero; variants.append(h)
        h = base; h.proposer = Genesis.devnetKeyPair(index: 1).publicKey; variants.append(h)
        h = base; h.epoch = 1; variants.append(h)
        h = base; h.stateCommitment = .zero; variants.append(h)
        h = base; h.transactionsRoot = .zero; variants.append(h)
        h = base; h.receiptsRoot = MerkleTree.emptyRoot; variants.append(h)
        h = base; h.lastCommitHash = MerkleTree.emptyRoot; variants.append(h)
        let hashes = Set(([base] + variants).map(\.hash))
        #expect(hashes.count == variants.count + 1)
    }

    @Test("the transactions root depends on order and content")
    func transactionsRootIsOrdered() {
        let transactions = Self.block().transactions
        #expect(Block.transactionsRoot(transactions) != Block.transactionsRoot(transactions.reversed()))
        #expect(Block.transactionsRoot([]) == MerkleTree.emptyRoot)
        #expect(Block.lastCommitHash(nil) == .zero)
    }

    @Test("a transaction count above the maximum is refused before anything is allocated")
    func tooManyTransactionsAreRefused() {
        var encoder = WireEncoder()
        encoder.writeUInt8(Version.wire)
        encoder.write(Self.header())
        encoder.writeVarint(UInt64(ChainLimits.transactionsPerBlockMax + 1))
        #expect(throws: WireError.self) { try Wire.decode(Block.self, from: encoder.bytes) }
    }

    @Test("mutated block bytes never trap, and whatever still decodes re-encodes to the same bytes (seeded)")
    func mutatedBytesAreSafe() {
        let bytes = Wire.encode(Self.block())
        var generator = SeededGenerator(seed: 0xb10c)
        var decoded = 0
        for _ in 0..<3000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                mutated[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) {
                mutated = Array(mutated.prefix(Int.random(in: 0..<mutated.count, using: &generator)))
            }
            guard let block = try? Wire.decode(Block.self, from: mutated) else { continue }
            decoded += 1
            #expect(Wire.encode(block) == mutated, "seed 0xb10c")
        }
        #expect(decoded > 0 && decoded < 3000)
    }
}
