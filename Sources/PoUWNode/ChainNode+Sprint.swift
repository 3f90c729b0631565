/// The Sprint schedule (docs/protocol.md, "Epochs and the Sprint"): at the start of each epoch the node
/// runs the workload and commits a Merkle root and count; once commits close, it checks the sampled
/// nonces of the participants it was assigned and sends its verdicts.
import PoUWChain
import PoUWCore
import PoUWGossip
import PoUWUV
import PoUWWire
import PoUWWork

extension ChainNode {
    /// Starts this epoch's Sprint when the commit window is open and it has not started yet.
    func maybeStartSprint() {
        guard let work = options.sprintWork, halted == nil else { return }
        let headHeight = head.height
        let epoch = params.epoch(ofHeight: headHeight + 1)
        let windowEnd = params.sprintLastHeight(ofEpoch: epoch)
        guard headHeight < windowEnd, !sprint.started.contains(epoch) else { return }
        guard let seed = (try? chain.epochInfo(epoch))??.seed else { return }
        sprint.started.insert(epoch)
        if ((try? chain.sprintCommit(epoch: epoch, participant: publicKey)) ?? nil) != nil { return }
        registerAsHostIfOutsideTheSet(epoch: epoch)
        if let kept = sprint.commitment(epoch: epoch) {
            log("epoch \(epoch): Sprint already computed (\(kept.count) nonces); committing it")
            sendOwn(.sprintCommit(epoch: epoch, root: kept.root, count: kept.count))
            return
        }
        let blocksLeft = windowEnd - headHeight
        let budget = blocksLeft * UInt64(params.blockIntervalMilliseconds) * 1_000_000 / 2
        let deadline = clock.monotonicNanoseconds() + budget
        let clock = self.clock
        let started = clock.monotonicNanoseconds()
        log("epoch \(epoch): Sprint started (≤ \(params.sprintNoncesMax) nonces, \(budget / 1_000_000) ms)")
        sprint.run(
            work: work, epoch: epoch, seed: seed, key: publicKey, noncesMax: params.sprintNoncesMax,
            deadline: { clock.monotonicNanoseconds() >= deadline }
        ) { [weak self] result in
            try? self?.loop.submit { [weak self] in
                guard let self else { return }
                switch result {
                case .success(let commitment):
                    let ms = (clock.monotonicNanoseconds() - started) / 1_000_000
                    guard head.height < windowEnd else {
                        log("epoch \(epoch): Sprint finished after its window closed; not committed")
                        return
                    }
                    log("epoch \(epoch): Sprint done, \(commitment.count) nonces in \(ms) ms; committing")
                    sendOwn(.sprintCommit(epoch: epoch, root: commitment.root, count: commitment.count))
                case .failure(let error):
                    log("epoch \(epoch): Sprint failed: \(error)")
                }
            }
        }
    }

    /// Sprint commits are accepted from the epoch's validators and from registered hosts. A node that is
    /// neither (it lost its weight, or joined later) registers as a host first, so its Sprint counts and
    /// it can earn weight again.
    func registerAsHostIfOutsideTheSet(epoch: UInt64) {
        let weight = ((try? chain.validators(epoch: epoch)) ?? []).first { $0.key == publicKey }?.weight ?? 0
        guard weight == 0, ((try? chain.host(publicKey)) ?? nil) == nil else { return }
        let host = HostInfo(models: [params.model.name], apiEndpoint: "http://" + (options.apiListen ?? ""),
                            hardwareClass: "cpu")
        guard host.violation == nil else { return }
        log("epoch \(epoch): not a validator; registering as a host so this Sprint counts")
        sendOwn(.registerHost(host))
    }

    /// Once the epoch's sample seed is on chain (the block after the commit window), check the
    /// participants assigned to us and send a verdict for each.
    func maybeVerifySprint(height: UInt64) {
        guard let work = options.sprintWork, halted == nil else { return }
        let epoch = params.epoch(ofHeight: height)
        guard height > params.sprintLastHeight(ofEpoch: epoch), height < params.lastHeight(ofEpoch: epoch),
              !sprint.verifiedEpochs.contains(epoch)
        else { return }
        guard let info = (try? chain.epochInfo(epoch)) ?? nil, info.sampleSeed != nil,
              let duties = try? chain.sprintDuties(epoch: epoch, verifier: publicKey)
        else { return }
        sprint.verifiedEpochs.insert(epoch)
        let seed = info.seed
        for duty in duties where duty.participant != publicKey {
            requestProofs(duty, epoch: epoch, seed: seed, work: work, attemptsLeft: Self.proofAttempts)
        }
    }

    static let proofAttempts = 5
    static let proofRetryNanoseconds: UInt64 = 2_000_000_000

    /// Fetches `duty`'s proofs from the participant (retrying while it is unreachable), checks them and
    /// sends the verdict. A participant that never hands them over fails.
    func requestProofs(_ duty: SprintDuty, epoch: UInt64, seed: Hash32, work: any SprintWork, attemptsLeft: Int) {
        guard halted == nil, head.height < params.lastHeight(ofEpoch: epoch) else { return }
        let request = ChainRequest.sprintProofs(epoch: epoch, nonces: duty.nonces)
        p2p.request(Wire.encode(request), to: duty.participant) { [weak self] result in
            guard let self else { return }
            guard case .success(let bytes) = result,
                  case .sprintProofs(let proofs)? = try? Wire.decode(ChainResponse.self, from: bytes)
            else {
                if attemptsLeft > 1 {
                    _ = loop.schedule(after: Self.proofRetryNanoseconds) { [weak self] in
                        self?.requestProofs(duty, epoch: epoch, seed: seed, work: work, attemptsLeft: attemptsLeft - 1)
                    }
                    return
                }
                log("epoch \(epoch): \(duty.participant) did not hand over its Sprint proofs; verdict: failed")
                sendOwn(.sprintVerdict(epoch: epoch, participant: duty.participant, passed: false))
                return
            }
            sprint.check(
                work: work, seed: seed, participant: duty.participant, root: duty.root, count: duty.count,
                sampled: duty.nonces, proofs: proofs
            ) { [weak self] outcome in
                try? self?.loop.submit { [weak self] in
                    guard let self else { return }
                    switch outcome {
                    case .success(let passed):
                        log("epoch \(epoch): Sprint of \(duty.participant) checked "
                            + "(\(duty.nonces.count) nonces): \(passed ? "passed" : "FAILED")")
                        sendOwn(.sprintVerdict(epoch: epoch, participant: duty.participant, passed: passed))
                    case .failure(let error):
                        log("epoch \(epoch): cannot check \(duty.participant)'s Sprint (own engine failed: \(error)); "
                            + "no verdict sent")
                    }
                }
            }
        }
    }
}
