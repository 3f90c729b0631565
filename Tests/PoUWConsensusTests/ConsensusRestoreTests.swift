import PoUWConsensus
import PoUWCore
import Testing

/// Crash recovery of `ConsensusCore` from its write-ahead log.
@Suite struct ConsensusRestoreTests {
    let h: UInt64 = 11

    /// A random but plausible stream of inputs for validator `me`: proposals (valid or not, with or
    /// without proof of lock), votes of the others for a few rounds and blocks, the timeouts the core
    /// asked for, and answers to its build requests.
    struct Script {
        var generator: SeededGenerator
        var requestedTimeouts: [TimeoutEvent] = []
        var buildRequests: [UInt32] = []
        let others: [PublicKey]
        let height: UInt64

        mutating func note(_ actions: [ConsensusAction]) {
            requestedTimeouts += actions.timeouts
            buildRequests += actions.buildRequests
        }

        mutating func next() -> ConsensusEvent {
            let r = UInt32.random(in: 0...3, using: &generator)
            let hash: Hash32? = Bool.random(using: &generator) ? nil : block(UInt8.random(in: 1...3, using: &generator))
            switch UInt8.random(in: 0..<10, using: &generator) {
            case 0, 1:
                let pol = Int32.random(in: -1..<Int32(r + 1), using: &generator)
                let p = proposal(fourEqual, height, r, hash ?? block(1), polRound: pol == Int32(r) ? -1 : pol)
                return .proposal(p, valid: UInt8.random(in: 0..<5, using: &generator) > 0)
            case 2 where !requestedTimeouts.isEmpty, 3 where !requestedTimeouts.isEmpty:
                return .timeout(requestedTimeouts.remove(at: Int.random(in: 0..<requestedTimeouts.count,
                                                                        using: &generator)))
            case 4 where !buildRequests.isEmpty:
                let requested = buildRequests.removeFirst()
                return .proposalValue(height: height, round: requested, blockHash: block(UInt8(requested % 3) + 1))
            default:
                let voter = others.randomElement(using: &generator)!
                let kind: VoteKind = Bool.random(using: &generator) ? .prevote : .precommit
                return .vote(vote(kind, height, r, hash, by: voter))
            }
        }
    }

    /// Runs `count` scripted events from the start; returns the events and every action, in order.
    func run(me: PublicKey, seed: UInt64, count: Int) -> (events: [ConsensusEvent], actions: [ConsensusAction]) {
        var core = ConsensusCore(signer: TestSigner(publicKey: me), height: h, validators: fourEqual,
                                 timeouts: ConsensusTimeouts())
        core.attestation = BatchCommitment(root: block(8), receiptCount: 2, promptTokens: 3, completionTokens: 4)
        var script = Script(generator: SeededGenerator(seed: seed), others: fourEqual.validators.map(\.key)
            .filter { $0 != me }, height: h)
        var actions = core.start()
        script.note(actions)
        var events: [ConsensusEvent] = []
        for _ in 0..<count where core.decision == nil {
            let event = script.next()
            events.append(event)
            let step = core.handle(event)
            script.note(step)
            actions += step
        }
        return (events, actions)
    }

    /// A crash after any number of durable records, a restart with another attestation, and more input
    /// (re-delivered and new) never make the node broadcast two different votes or proposals for one
    /// slot; votes broadcast before the crash and after it agree.
    @Test(arguments: 0..<40)
    func restoreNeverSignsAConflictingMessage(seed: Int) {
        let me = fourEqual.validators[seed % 4].key
        let (events, actions) = run(me: me, seed: UInt64(seed), count: 80)
        let records = actions.records
        for crashAfter in 0...records.count {
            // What the node sent before the crash: broadcasts before the (crashAfter + 1)-th persist.
            var sent: [ConsensusAction] = []
            var persisted = 0
            for action in actions {
                if case .persist = action {
                    if persisted == crashAfter { break }
                    persisted += 1
                }
                sent.append(action)
            }
            var (core, resume) = ConsensusCore.restore(
                signer: TestSigner(publicKey: me), height: h, validators: fourEqual, timeouts: ConsensusTimeouts(),
                records: Array(records.prefix(crashAfter)))
            core.attestation = BatchCommitment(root: block(9), receiptCount: 1, promptTokens: 1, completionTokens: 1)
            var after = resume
            var script = Script(generator: SeededGenerator(seed: UInt64(seed) + 1000), others: fourEqual.validators
                .map(\.key).filter { $0 != me }, height: h)
            script.note(resume)
            for event in events { after += core.handle(event) }
            for _ in 0..<40 {
                let step = core.handle(script.next())
                script.note(step)
                after += step
            }
            var votes: [String: Vote] = [:]
            for vote in sent.votes + after.votes {
                let slot = "\(vote.round)/\(vote.kind)"
                if let earlier = votes[slot] {
                    #expect(earlier == vote, "seed \(seed) crash after \(crashAfter): conflicting \(slot)")
                }
                votes[slot] = vote
            }
            var proposals: [UInt32: Proposal] = [:]
            for p in sent.proposals + after.proposals {
                if let earlier = proposals[p.round] { #expect(earlier == p, "seed \(seed): conflicting proposal") }
                proposals[p.round] = p
            }
            // Every message broadcast after the restart was durable first (in the log or persisted anew).
            let durable = Set(records.prefix(crashAfter)).union(after.records)
            for vote in after.votes { #expect(durable.contains(.ownVote(vote))) }
        }
    }

    /// Replaying the whole log rebuilds the same state; the resume actions re-send this round's own
    /// messages and reschedule the current step's timeouts.
    @Test(arguments: 0..<20)
    func restoreRebuildsTheSameState(seed: Int) {
        let me = fourEqual.validators[(seed + 1) % 4].key
        var original = ConsensusCore(signer: TestSigner(publicKey: me), height: h, validators: fourEqual,
                                     timeouts: ConsensusTimeouts())
        var actions = original.start()
        var script = Script(generator: SeededGenerator(seed: UInt64(seed) + 77), others: fourEqual.validators
            .map(\.key).filter { $0 != me }, height: h)
        script.note(actions)
        for _ in 0..<50 where original.decision == nil {
            let step = original.handle(script.next())
            script.note(step)
            actions += step
        }
        let (restored, resume) = ConsensusCore.restore(
            signer: TestSigner(publicKey: me), height: h, validators: fourEqual, timeouts: ConsensusTimeouts(),
            records: actions.records)
        #expect(restored.round == original.round && restored.step == original.step)
        #expect(restored.lockedValue == original.lockedValue && restored.lockedRound == original.lockedRound)
        #expect(restored.validValue == original.validValue && restored.validRound == original.validRound)
        #expect(restored.decision == original.decision)
        #expect(restored.signedVotes == original.signedVotes)
        if let decision = original.decision {
            #expect(resume == [.commit(decision)])
        } else {
            let ownThisRound = original.signedVotes.filter { $0.round == original.round }
            #expect(resume.votes == ownThisRound)
            if original.step == .propose {
                #expect(resume.timeouts.contains(TimeoutEvent(step: .propose, height: h, round: original.round)))
            }
            #expect(resume.records.isEmpty)
        }
    }
}
