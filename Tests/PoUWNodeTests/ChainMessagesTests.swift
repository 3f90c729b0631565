import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import PoUWNode
import PoUWWire
import PoUWWork
import Testing

/// The node-to-node chain messages: every request and answer survives the wire, and hostile bytes are
/// refused with an error instead of a crash.
@Suite struct ChainMessagesTests {
    static let key = Genesis.devnetKeyPair(index: 0)

    static func block(height: UInt64) -> Block {
        let tx = SignedTransaction.sign(
            Transaction(chainId: "pouw-test", sender: key.publicKey, nonce: 0, fee: 1, body: .bond(amount: 5)),
            with: key
        )
        let header = BlockHeader(
            chainId: "pouw-test", height: height, timeMilliseconds: 1_700_000_000_000, previousHash: .zero,
            proposer: key.publicKey, epoch: 0, stateCommitment: .zero, transactionsRoot: Block.transactionsRoot([tx]),
            receiptsRoot: .zero, lastCommitHash: Block.lastCommitHash(nil)
        )
        return Block(header: header, transactions: [tx], lastCommit: nil)
    }

    static func vote(_ height: UInt64) -> Vote {
        var vote = Vote(kind: .precommit, height: height, round: 0, blockHash: block(height: height).header.hash,
                        voter: key.publicKey)
        vote.signature = key.sign(payload: vote.signingPayload, kind: .vote, chainId: "pouw-test")
        return vote
    }

    static var proposalMessage: ProposalMessage {
        let block = block(height: 1)
        var proposal = Proposal(height: 1, round: 0, polRound: -1, blockHash: block.header.hash,
                                proposer: key.publicKey)
        proposal.signature = key.sign(payload: proposal.signingPayload, kind: .proposal, chainId: "pouw-test")
        return ProposalMessage(proposal: proposal, block: block)
    }

    @Test func requestsRoundTrip() throws {
        let requests: [ChainRequest] = [
            .head, .blocks(from: 7, count: 32), .sprintProofs(epoch: 3, nonces: [1, 5, 9]), .consensus(height: 12),
        ]
        for request in requests {
            #expect(try Wire.decode(ChainRequest.self, from: Wire.encode(request)) == request)
        }
    }

    @Test func answersRoundTrip() throws {
        let commitment = SprintCommitment(leaves: (0..<5).map { Blake2b256.hash([UInt8($0)]) })
        let committed = CommittedBlock(
            block: Self.block(height: 1),
            commit: CommitCertificate(height: 1, round: 0, blockHash: Self.block(height: 1).header.hash,
                                      precommits: [Self.vote(1)])
        )
        let answers: [ChainResponse] = [
            .head(height: 9, hash: Blake2b256.hash([9])),
            .blocks([committed]),
            .sprintProofs(SprintProver.proofs(commitment, nonces: [0, 4]) ?? []),
            .consensus(proposals: [Self.proposalMessage], votes: [Self.vote(1)]),
        ]
        for answer in answers {
            #expect(try Wire.decode(ChainResponse.self, from: Wire.encode(answer)) == answer)
        }
    }

    @Test func oversizedBlockRequestIsRefused() {
        var encoder = WireEncoder()
        encoder.writeUInt8(Version.wire)
        encoder.writeUInt8(2)
        encoder.writeUInt64(1)
        encoder.writeUInt32(UInt32(ChainSyncLimits.blocksPerRequestMax + 1))
        #expect(throws: WireError.self) { try Wire.decode(ChainRequest.self, from: encoder.bytes) }
    }

    @Test func unknownTagsAndTruncationAreRefused() {
        #expect(throws: WireError.self) { try Wire.decode(ChainRequest.self, from: [Version.wire, 9]) }
        #expect(throws: WireError.self) { try Wire.decode(ChainResponse.self, from: [Version.wire, 0]) }
        let bytes = Wire.encode(ChainResponse.consensus(proposals: [Self.proposalMessage], votes: [Self.vote(1)]))
        for cut in stride(from: 1, to: bytes.count, by: 37) {
            #expect(throws: WireError.self) { try Wire.decode(ChainResponse.self, from: Array(bytes.prefix(cut))) }
        }
    }
}
