import PoUWChain
import PoUWCore
import PoUWCrypto
import Testing

@Suite struct ChainStateSupplyTests {
    /// Random transactions of every kind, some invalid, from users and validators.
    static func randomCandidates(
        _ chain: ChainFixture, generator: inout SeededGenerator, height: UInt64
    ) throws -> [SignedTransaction] {
        let parameters = chain.genesis.parameters
        let everyone = chain.userKeys + chain.validatorKeys
        var offsets: [PublicKey: UInt64] = [:]
        var candidates: [SignedTransaction] = []
        let epoch = parameters.epoch(ofHeight: height)
        for _ in 0..<Int.random(in: 0...8, using: &generator) {
            let sender = everyone.randomElement(using: &generator)!
            let other = everyone.randomElement(using: &generator)!.publicKey
            let amount = UInt64.random(in: 0...2_000_000, using: &generator)
            let body: TransactionBody
            switch Int.random(in: 0..<7, using: &generator) {
            case 0, 1: body = .transfer(to: other, amount: amount)
            case 2: body = .bond(amount: amount / 10)
            case 3: body = .unbond(amount: amount / 10)
            case 4:
                body = .registerHost(HostInfo(models: ["m"], apiEndpoint: "http://h:1", hardwareClass: "cpu"))
            case 5:
                body = .sprintCommit(epoch: epoch, root: .zero, count: UInt64.random(in: 1...100, using: &generator))
            default:
                body = .sprintVerdict(epoch: epoch, participant: other, passed: Bool.random(using: &generator))
            }
            let fee = UInt64.random(in: 0...5, using: &generator)
            // Sometimes reuse a nonce (replay) or skip one (gap): those must be skipped, not break the block.
            let offset = offsets[sender.publicKey, default: 0]
            let jitter = Int.random(in: 0..<10, using: &generator)
            let nonceOffset = jitter == 0 && offset > 0 ? offset - 1 : (jitter == 1 ? offset + 1 : offset)
            candidates.append(try chain.sign(body, from: sender, fee: fee, nonceOffset: nonceOffset))
            offsets[sender.publicKey] = offset + 1
        }
        return candidates
    }

    @Test("total supply equals the genesis supply after each of 240 random blocks, and replay agrees")
    func supplyIsConserved() throws {
        let chain = try ChainFixture()
        let supply = chain.genesis.totalSupply
        var generator = SeededGenerator(seed: 0x5eed_c4a1)
        var included = 0
        for height in 1...240 as ClosedRange<UInt64> {
            let candidates = try Self.randomCandidates(chain, generator: &generator, height: height)
            let block = try chain.advance(candidates)
            included += block.transactions.count
            let total = try chain.state.totalSupply()
            #expect(total == supply, "supply \(total) != \(supply) at height \(height) (seed 0x5eedc4a1)")
            if total != supply { break }
        }
        #expect(included > 200, "only \(included) transactions were valid; the generator is too strict")
        let report = try ChainState.replay(chain.state)
        #expect(report.blocks == 240)
        #expect(report.head == (try chain.state.head()))
    }
}
