import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import Testing

@Suite struct CommitCertificateChecksTests {
    static let keys = (0..<4).map { Genesis.devnetKeyPair(index: $0) }
    static let weights = keys.map { (key: $0.publicKey, weight: UInt64(10)) }
    static let blockHash = Hash32([UInt8](repeating: 3, count: 32))

    static func certificate(signers: [KeyPair], chainId: String = "pouw-test") -> CommitCertificate {
        let votes = signers.map { key in
            var vote = Vote(kind: .precommit, height: 9, round: 2, blockHash: blockHash, voter: key.publicKey)
            vote.signature = key.sign(payload: vote.signingPayload, kind: .vote, chainId: chainId)
            return vote
        }
        return CommitCertificate(height: 9, round: 2, blockHash: blockHash, precommits: votes)
    }

    @Test("three of four equal weights is a quorum, two is not")
    func quorum() throws {
        try Self.certificate(signers: Array(Self.keys.prefix(3)))
            .checkStructure(height: 9, blockHash: Self.blockHash, weights: Self.weights)
        #expect(throws: ChainError.self) {
            try Self.certificate(signers: Array(Self.keys.prefix(2)))
                .checkStructure(height: 9, blockHash: Self.blockHash, weights: Self.weights)
        }
    }

    @Test("wrong height, block, duplicate voter, unknown voter or prevote are refused")
    func structure() {
        let good = Self.certificate(signers: Self.keys)
        #expect(throws: ChainError.self) {
            try good.checkStructure(height: 8, blockHash: Self.blockHash, weights: Self.weights)
        }
        #expect(throws: ChainError.self) { try good.checkStructure(height: 9, blockHash: .zero, weights: Self.weights) }
        var duplicate = good
        duplicate.precommits.append(good.precommits[3])
        #expect(throws: ChainError.self) {
            try duplicate.checkStructure(height: 9, blockHash: Self.blockHash, weights: Self.weights)
        }
        #expect(throws: ChainError.self) {
            try good.checkStructure(height: 9, blockHash: Self.blockHash, weights: Array(Self.weights.prefix(3)))
        }
        var prevote = good
        prevote.precommits[0].kind = .prevote
        #expect(throws: ChainError.self) {
            try prevote.checkStructure(height: 9, blockHash: Self.blockHash, weights: Self.weights)
        }
    }

    @Test("signatures verify for their chain and fail for another chain or a tampered vote")
    func signatures() throws {
        let good = Self.certificate(signers: Self.keys)
        try good.verifySignatures(chainId: "pouw-test")
        #expect(throws: ChainError.self) { try good.verifySignatures(chainId: "pouw-other") }
        var tampered = good
        tampered.precommits[1].attestation.receiptCount = 1
        #expect(throws: ChainError.self) { try tampered.verifySignatures(chainId: "pouw-test") }
    }
}
