import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import Testing

@Suite struct ChainStateEpochTests {
    @Test("Sprint commits and verdicts of epoch 0 become the weights of epoch 1")
    func epochTransitionProducesWeights() throws {
        let chain = try ChainFixture()
        let parameters = chain.genesis.parameters
        let host = chain.userKeys[0]
        let validators = chain.validatorKeys
        let info = HostInfo(models: ["smollm2"], apiEndpoint: "http://127.0.0.1:8080", hardwareClass: "cpu")
        try chain.advance([try chain.sign(.registerHost(info), from: host)])
        #expect(try chain.state.host(host.publicKey) == info)

        let root = Hash32([UInt8](repeating: 7, count: 32))
        let counts: [(KeyPair, UInt64)] = [(validators[0], 50), (host, 30), (validators[1], 20)]
        let commits = try counts.map { key, count in
            try chain.sign(.sprintCommit(epoch: 0, root: root, count: count), from: key)
        }
        let outsider = chain.userKeys[1]
        let rejected = [
            try chain.sign(.sprintCommit(epoch: 0, root: root, count: 5), from: outsider),
            try chain.sign(
                .sprintCommit(epoch: 0, root: root, count: parameters.sprintNoncesMax + 1), from: validators[2]
            ),
            try chain.sign(.sprintCommit(epoch: 1, root: root, count: 5), from: validators[3]),
        ]
        let block2 = try chain.advance(commits + rejected)
        #expect(block2.transactions == commits)
        let duplicate = try chain.sign(.sprintCommit(epoch: 0, root: root, count: 9), from: validators[0])
        #expect(try chain.propose([duplicate]).transactions.isEmpty)

        // A verdict before the commit window closes is refused; so is a commit after it.
        let early = try chain.sign(
            .sprintVerdict(epoch: 0, participant: host.publicKey, passed: true), from: validators[0]
        )
        #expect(try chain.propose([early]).transactions.isEmpty)
        try chain.advance(to: parameters.sprintLastHeight(ofEpoch: 0))
        try chain.advance()
        let late = try chain.sign(.sprintCommit(epoch: 0, root: root, count: 5), from: validators[2])
        #expect(try chain.propose([late]).transactions.isEmpty)

        let epoch0 = try #require(try chain.state.epochInfo(0))
        let sampleSeed = try #require(epoch0.sampleSeed)
        #expect(sampleSeed == (try chain.state.block(at: parameters.sprintLastHeight(ofEpoch: 0)))?.hash)
        let weights0 = try chain.state.validators(epoch: 0)
        #expect(try chain.state.sprintCommits(epoch: 0).map(\.participant) == counts.map(\.0.publicKey).sorted())
        let duties = try validators.map { try chain.state.sprintDuties(epoch: 0, verifier: $0.publicKey) }
        #expect(duties.map(\.count).reduce(0, +) == counts.count * Int(parameters.sprintVerifiers))
        for duty in duties.joined() {
            #expect(!duty.nonces.isEmpty && duty.nonces.allSatisfy { $0 < duty.count })
        }
        var verdicts: [SignedTransaction] = []
        var unassigned: [SignedTransaction] = []
        for (key, _) in counts {
            let assigned = SprintSampling.verifiers(
                sampleSeed: sampleSeed, participant: key.publicKey, weights: weights0,
                count: Int(parameters.sprintVerifiers)
            )
            #expect(try chain.state.assignedVerifiers(epoch: 0, participant: key.publicKey) == assigned)
            #expect(!assigned.isEmpty)
            let passed = key.publicKey != validators[1].publicKey
            for verifier in assigned {
                let verifierKey = try #require(validators.first { $0.publicKey == verifier })
                verdicts.append(try chain.sign(
                    .sprintVerdict(epoch: 0, participant: key.publicKey, passed: passed), from: verifierKey,
                    nonceOffset: UInt64(verdicts.filter { $0.transaction.sender == verifier }.count)
                ))
            }
            let strangers = validators.filter { !assigned.contains($0.publicKey) && $0.publicKey != key.publicKey }
            if let stranger = strangers.first {
                unassigned.append(try chain.sign(
                    .sprintVerdict(epoch: 0, participant: key.publicKey, passed: true), from: stranger
                ))
            }
        }
        for verdict in unassigned {
            #expect(try chain.propose([verdict]).transactions.isEmpty, "a verdict from an unassigned verifier")
        }
        let aboutOutsider = try chain.sign(
            .sprintVerdict(epoch: 0, participant: outsider.publicKey, passed: true), from: validators[0]
        )
        #expect(try chain.propose([aboutOutsider]).transactions.isEmpty, "a verdict about a participant without commit")
        let verdictBlock = try chain.advance(verdicts)
        #expect(verdictBlock.transactions == verdicts)
        let again = try chain.sign(
            .sprintVerdict(epoch: 0, participant: verdicts[0].transaction.body.participant!, passed: true),
            from: try #require(validators.first { $0.publicKey == verdicts[0].transaction.sender })
        )
        #expect(try chain.propose([again]).transactions.isEmpty, "a second verdict of one verifier on one participant")

        try chain.advance(to: parameters.lastHeight(ofEpoch: 0))
        let expected = EpochMath.nextWeights(
            counts.map { key, count in
                EpochParticipantInput(
                    key: key.publicKey, verifiedCount: key.publicKey == validators[1].publicKey ? 0 : count,
                    bondedCollateral: key.publicKey == host.publicKey ? 0 : Genesis.devnetCollateral
                )
            },
            rules: parameters.weightRules
        )
        let weights1 = try chain.state.validators(epoch: 1)
        #expect(weights1.map(\.key) == expected.map(\.key))
        #expect(weights1.map(\.weight) == expected.map(\.weight))
        let epoch1 = try #require(try chain.state.epochInfo(1))
        let lastBlock = try #require(try chain.state.block(at: parameters.lastHeight(ofEpoch: 0)))
        let seed1 = EpochMath.nextSeed(previous: epoch0.seed, lastCommitHash: lastBlock.header.lastCommitHash)
        #expect(epoch1.seed == seed1)
        #expect(epoch1.startHeight == parameters.firstHeight(ofEpoch: 1))
        #expect(try chain.state.sprintCommit(epoch: 0, participant: host.publicKey) == nil)

        // Epoch 1 runs on the new weights: its blocks are proposed and certified by them.
        try chain.advance(to: parameters.lastHeight(ofEpoch: 0) + 3)
        #expect(try chain.state.currentWeights().map(\.key) == expected.map(\.key))
        #expect(try ChainState.replay(chain.state).head == (try chain.state.head()))
    }

    @Test("an epoch without Sprint commits keeps its weights")
    func emptySprintKeepsWeights() throws {
        let chain = try ChainFixture()
        try chain.advance(to: chain.genesis.parameters.lastHeight(ofEpoch: 1))
        #expect(try chain.state.validators(epoch: 2).map(\.weight) == [100, 100, 100, 100])
        #expect(try chain.state.validators(epoch: 1).map(\.key) == (try chain.state.validators(epoch: 0)).map(\.key))
    }
}

extension TransactionBody {
    /// The participant a verdict judges.
    var participant: PublicKey? {
        if case let .sprintVerdict(_, participant, _) = self { return participant }
        return nil
    }
}
