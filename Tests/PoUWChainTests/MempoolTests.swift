import PoUWChain
import PoUWCore
import PoUWCrypto
import Testing

@Suite struct MempoolTests {
    static let keys = (0..<4).map { Genesis.devnetKeyPair(index: 2000 + $0) }

    static func tx(_ sender: Int, nonce: UInt64, fee: UInt64 = 1) -> SignedTransaction {
        let key = keys[sender]
        return SignedTransaction.sign(
            Transaction(chainId: "pouw-test", sender: key.publicKey, nonce: nonce, fee: fee, body: .bond(amount: 1)),
            with: key
        )
    }

    @Test("duplicates, used nonces, taken nonces and nonces beyond the window are refused")
    func admission() throws {
        var pool = Mempool(limits: MempoolLimits(nonceWindow: 4))
        try pool.insert(Self.tx(0, nonce: 5), accountNonce: 5)
        let sender = Self.keys[0].publicKey
        #expect(throws: MempoolError.duplicate(Self.tx(0, nonce: 5).id)) {
            try pool.insert(Self.tx(0, nonce: 5), accountNonce: 5)
        }
        #expect(throws: MempoolError.nonceTaken(sender: sender, nonce: 5)) {
            try pool.insert(Self.tx(0, nonce: 5, fee: 2), accountNonce: 5)
        }
        #expect(throws: MempoolError.nonceTooLow(sender: sender, accountNonce: 5, nonce: 4)) {
            try pool.insert(Self.tx(0, nonce: 4), accountNonce: 5)
        }
        #expect(throws: MempoolError.nonceTooFarAhead(sender: sender, accountNonce: 5, nonce: 9, window: 4)) {
            try pool.insert(Self.tx(0, nonce: 9), accountNonce: 5)
        }
        try pool.insert(Self.tx(0, nonce: 8), accountNonce: 5)
        #expect(pool.count == 2)
        #expect(pool.contains(Self.tx(0, nonce: 8).id))
    }

    @Test("the pool holds at most transactionsMax, bytesMax and perSenderMax")
    func bounds() throws {
        let size = Self.tx(0, nonce: 0).encodedByteCount
        var pool = Mempool(limits: MempoolLimits(transactionsMax: 3, bytesMax: 100 * size, perSenderMax: 2))
        try pool.insert(Self.tx(0, nonce: 0), accountNonce: 0)
        try pool.insert(Self.tx(0, nonce: 1), accountNonce: 0)
        #expect(throws: MempoolError.senderFull(sender: Self.keys[0].publicKey, perSenderMax: 2)) {
            try pool.insert(Self.tx(0, nonce: 2), accountNonce: 0)
        }
        try pool.insert(Self.tx(1, nonce: 0), accountNonce: 0)
        #expect(throws: MempoolError.full(transactionsMax: 3, bytesMax: 100 * size)) {
            try pool.insert(Self.tx(2, nonce: 0), accountNonce: 0)
        }
        var small = Mempool(limits: MempoolLimits(bytesMax: 2 * size))
        try small.insert(Self.tx(0, nonce: 0), accountNonce: 0)
        try small.insert(Self.tx(1, nonce: 0), accountNonce: 0)
        #expect(throws: MempoolError.self) { try small.insert(Self.tx(2, nonce: 0), accountNonce: 0) }
        #expect(small.byteCount == 2 * size)
    }

    @Test("reap yields each sender's consecutive nonces in order, higher fees first, stopping at gaps")
    func reapOrder() throws {
        var pool = Mempool()
        try pool.insert(Self.tx(0, nonce: 1, fee: 1), accountNonce: 0)
        try pool.insert(Self.tx(0, nonce: 0, fee: 1), accountNonce: 0)
        try pool.insert(Self.tx(1, nonce: 0, fee: 5), accountNonce: 0)
        try pool.insert(Self.tx(1, nonce: 1, fee: 1), accountNonce: 0)
        try pool.insert(Self.tx(2, nonce: 1, fee: 9), accountNonce: 0)  // gap at nonce 0: not reapable
        try pool.insert(Self.tx(2, nonce: 3, fee: 9), accountNonce: 0)
        let reaped = pool.reap(max: 10)
        let order = reaped.map { tx in
            (Self.keys.firstIndex { $0.publicKey == tx.transaction.sender }!, tx.transaction.nonce)
        }
        #expect(order.count == 5)
        #expect(order.first! == (2, 1))
        #expect(order.filter { $0.0 == 0 }.map(\.1) == [0, 1])
        #expect(order.filter { $0.0 == 1 }.map(\.1) == [0, 1])
        #expect(order[1] == (1, 0))
        #expect(pool.reap(max: 2).count == 2)
        #expect(pool.reap(max: 10, bytesMax: Self.tx(0, nonce: 0).encodedByteCount).count == 1)
    }

    @Test("committed transactions and nonces below the account nonce are removed")
    func removeCommitted() throws {
        var pool = Mempool()
        for nonce in 0..<4 as Range<UInt64> { try pool.insert(Self.tx(0, nonce: nonce), accountNonce: 0) }
        try pool.insert(Self.tx(1, nonce: 0), accountNonce: 0)
        let header = BlockTests.header(height: 1)
        let block = Block(header: header, transactions: [Self.tx(0, nonce: 0), Self.tx(0, nonce: 1)], lastCommit: nil)
        pool.removeCommitted(block) { _ in 3 }
        #expect(pool.count == 2)
        #expect(pool.contains(Self.tx(0, nonce: 3).id))
        #expect(!pool.contains(Self.tx(0, nonce: 2).id))
        #expect(pool.contains(Self.tx(1, nonce: 0).id))
        #expect(pool.byteCount == 2 * Self.tx(0, nonce: 0).encodedByteCount)
    }
}
