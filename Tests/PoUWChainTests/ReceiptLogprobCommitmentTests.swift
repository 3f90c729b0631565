import PoUWChain
import PoUWCore
import PoUWCrypto
import Testing

@Suite struct LogprobCommitmentTests {
    typealias Position = (chosen: Int, top: [(token: Int, logprob: Double)])

    /// Five generated positions with three alternatives each.
    static let positions: [Position] = (0..<5).map { index in
        let chosen = 100 + index
        return (chosen, [(chosen, -0.25 * Double(index)), (7, -1.5), (70_000 + index, -3.125 - Double(index))])
    }

    @Test("the leaf data follow the documented layout: tag, position, chosen, (token, f32 bits) pairs")
    func leafLayout() {
        let data = LogprobCommitment.leafData(position: 1, chosen: 7, top: [(7, -0.5), (258, -1.0)])
        var expected = Array("pouw/logprob-leaf/v1".utf8)
        expected += [0x01, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00]
        expected += [0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xbf]
        expected += [0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0xbf]
        #expect(data == expected)
        #expect(LogprobCommitment.logprobBits(-0.0) == 0)
        #expect(LogprobCommitment.logprobBits(-1e-60) == 0)
        #expect(LogprobCommitment.logprobBits(-.infinity) == 0xff80_0000)
    }

    @Test("the proof of every position verifies against the root and through the receipt")
    func everyPositionVerifies() {
        let commitment = LogprobCommitment(positions: Self.positions, k: 3)
        #expect(commitment.positionCount == 5)
        var receipt = ReceiptFixture.receipt()
        receipt.completionTokens = 5
        receipt.logprobK = 3
        receipt.logprobRoot = commitment.root
        for (index, position) in Self.positions.enumerated() {
            let proof = commitment.proof(position: index)
            #expect(LogprobCommitment.verify(
                proof, position: index, chosen: position.chosen, top: position.top, root: commitment.root,
                positionCount: 5
            ))
            #expect(receipt.verifyLogprobs(proof, position: index, chosen: position.chosen, top: position.top))
        }
    }

    @Test("a changed logprob, alternative, chosen token or position does not verify")
    func tamperedLeavesFail() {
        let commitment = LogprobCommitment(positions: Self.positions, k: 3)
        let root = commitment.root
        for (index, position) in Self.positions.enumerated() {
            let proof = commitment.proof(position: index)
            func verifies(_ position: Int, _ chosen: Int, _ top: [(token: Int, logprob: Double)]) -> Bool {
                LogprobCommitment.verify(
                    proof, position: position, chosen: chosen, top: top, root: root, positionCount: 5
                )
            }
            var logprob = position.top
            logprob[1].logprob += 0.001
            var token = position.top
            token[2].token += 1
            var swapped = position.top
            swapped.swapAt(1, 2)
            #expect(!verifies(index, position.chosen, logprob))
            #expect(!verifies(index, position.chosen, token))
            #expect(!verifies(index, position.chosen, swapped))
            #expect(!verifies(index, position.chosen + 1, position.top))
            #expect(!verifies((index + 1) % 5, position.chosen, position.top))
            var moved = proof
            moved.leafIndex = UInt64((index + 1) % 5)
            #expect(!LogprobCommitment.verify(
                moved, position: (index + 1) % 5, chosen: position.chosen, top: position.top, root: root,
                positionCount: 5
            ))
            #expect(!LogprobCommitment.verify(
                proof, position: index, chosen: position.chosen, top: position.top, root: root, positionCount: 6
            ))
        }
    }

    @Test("a receipt refuses an opening whose k differs from logprobK")
    func receiptChecksK() {
        let commitment = LogprobCommitment(positions: Self.positions, k: 3)
        var receipt = ReceiptFixture.receipt()
        receipt.completionTokens = 5
        receipt.logprobK = 2
        receipt.logprobRoot = commitment.root
        let position = Self.positions[0]
        let proof = commitment.proof(position: 0)
        #expect(!receipt.verifyLogprobs(proof, position: 0, chosen: position.chosen, top: position.top))
    }

    @Test("no positions commit to the empty Merkle root; k 0 still commits the chosen tokens")
    func emptyAndZeroK() {
        #expect(LogprobCommitment(positions: [], k: 4).root == MerkleTree.emptyRoot)
        let a = LogprobCommitment(positions: [(1, []), (2, [])], k: 0)
        let b = LogprobCommitment(positions: [(1, []), (3, [])], k: 0)
        #expect(a.root != b.root)
        let proof = a.proof(position: 1)
        #expect(LogprobCommitment.verify(proof, position: 1, chosen: 2, top: [], root: a.root, positionCount: 2))
    }
}
