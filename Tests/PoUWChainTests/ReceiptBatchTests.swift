import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import Testing

@Suite struct ReceiptBatchTests {
    static func receipts(_ count: Int) -> [SignedReceipt] {
        (0..<count).map { index in
            var receipt = ReceiptFixture.receipt()
            receipt.requestId = InferenceRequestId([UInt8](repeating: UInt8(index), count: 16))
            receipt.promptTokens = UInt32(10 + index)
            receipt.completionTokens = UInt32(index % 3)
            return ReceiptFixture.signed(receipt)
        }
    }

    @Test("an empty batch commits to BatchCommitment.empty")
    func emptyBatch() throws {
        let batch = try ReceiptBatch([])
        #expect(batch.commitment == .empty)
        #expect(batch.receiptIds.isEmpty)
        #expect(batch.inclusionProof(of: ReceiptFixture.filled(1)) == nil)
    }

    @Test("the commitment holds the Merkle root over the ids in order, the count and the token totals")
    func commitmentTotals() throws {
        let receipts = Self.receipts(5)
        let batch = try ReceiptBatch(receipts)
        #expect(batch.receiptIds == receipts.map(\.id))
        #expect(batch.commitment.root == MerkleTree(leaves: receipts.map(\.id.bytes)).root)
        #expect(batch.commitment.receiptCount == 5)
        #expect(batch.commitment.promptTokens == 10 + 11 + 12 + 13 + 14)
        #expect(batch.commitment.completionTokens == 0 + 1 + 2 + 0 + 1)
        let reversed = try ReceiptBatch(receipts.reversed())
        #expect(reversed.commitment.root != batch.commitment.root)
        #expect(try ReceiptBatch(receipts: receipts.map(\.receipt)).commitment == batch.commitment)
    }

    @Test("every receipt's inclusion proof verifies against the commitment; others do not")
    func inclusionProofs() throws {
        for count in [1, 2, 3, 7] {
            let receipts = Self.receipts(count)
            let batch = try ReceiptBatch(receipts)
            for (index, receipt) in receipts.enumerated() {
                let proof = try #require(batch.inclusionProof(of: receipt.id))
                #expect(proof == batch.inclusionProof(index: index))
                #expect(ReceiptBatch.verifyInclusion(proof, receiptId: receipt.id, in: batch.commitment))
                #expect(!ReceiptBatch.verifyInclusion(proof, receiptId: ReceiptFixture.filled(9), in: batch.commitment))
                var inflated = batch.commitment
                inflated.receiptCount += 1
                #expect(!ReceiptBatch.verifyInclusion(proof, receiptId: receipt.id, in: inflated))
            }
        }
        let proof = try ReceiptBatch(Self.receipts(1)).inclusionProof(index: 0)
        #expect(!ReceiptBatch.verifyInclusion(proof, receiptId: Self.receipts(1)[0].id, in: .empty))
    }

    @Test("a batch refuses the same receipt twice")
    func duplicatesAreRefused() {
        let receipts = Self.receipts(3)
        #expect(throws: ReceiptError.duplicateReceipt(receipts[1].id)) {
            try ReceiptBatch(receipts + [receipts[1]])
        }
    }
}
