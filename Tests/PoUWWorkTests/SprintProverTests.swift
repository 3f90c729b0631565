import Foundation
import PoUWCore
import PoUWCrypto
import PoUWInference
import PoUWWire
import PoUWWork
import Testing

/// A cheap, deterministic stand-in for the model workload.
private struct HashWork: SprintWork {
    var salt: UInt8 = 0
    func artifactHash(epochSeed: Hash32, publicKey: PublicKey, nonce: UInt64) throws -> Hash32 {
        let nonceBytes = withUnsafeBytes(of: nonce.littleEndian) { Array($0) }
        return Blake2b256.hash([salt] + epochSeed.bytes + publicKey.bytes + nonceBytes)
    }
}

private struct WorkFailed: Error {}

/// A workload whose engine fails at one nonce.
private struct FailingWork: SprintWork {
    let failAt: UInt64
    func artifactHash(epochSeed: Hash32, publicKey: PublicKey, nonce: UInt64) throws -> Hash32 {
        if nonce == failAt { throw WorkFailed() }
        return try HashWork().artifactHash(epochSeed: epochSeed, publicKey: publicKey, nonce: nonce)
    }
}

private let proverModelPath: String? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = ProcessInfo.processInfo.environment["POUW_MODEL"]
        ?? root.appendingPathComponent(".models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    guard FileManager.default.fileExists(atPath: path) else {
        print("⚠️ SKIPPING the Sprint prover test with the real model: no model at \(path); run Deploy/setup.sh")
        return nil
    }
    return path
}()

@Suite struct SprintProverTests {
    let seed = Blake2b256.hash(Array("epoch 3".utf8))
    let key = KeyPair(seed: [UInt8](repeating: 7, count: 32)).publicKey
    private let work = HashWork()

    func commit(_ n: UInt64) throws -> SprintCommitment {
        try SprintProver.run(work: work, epochSeed: seed, publicKey: key, noncesMax: n, shouldStop: { false })
    }

    func check(_ c: SprintCommitment, sampled: [UInt64], proofs: [SprintProof], root: Hash32? = nil,
               count: UInt64? = nil, participant: PublicKey? = nil) throws -> Bool {
        try SprintVerifier.check(work: work, epochSeed: seed, participant: participant ?? key, root: root ?? c.root,
                                 count: count ?? c.count, sampled: sampled, proofs: proofs)
    }

    @Test("the prover runs nonces 0..<noncesMax and commits to their artifact hashes in nonce order")
    func proverCommitsInNonceOrder() throws {
        let c = try commit(11)
        #expect(c.count == 11 && c.leaves.count == 11)
        for (i, leaf) in c.leaves.enumerated() {
            #expect(leaf == (try work.artifactHash(epochSeed: seed, publicKey: key, nonce: UInt64(i))))
        }
        #expect(c == SprintCommitment(leaves: c.leaves))
        #expect(c.root == MerkleTree(leaves: c.leaves.map(\.bytes)).root)
        #expect(try commit(0).root == MerkleTree.emptyRoot)
    }

    @Test("shouldStop is checked before every nonce: a due stop runs none, a later one cuts the run short")
    func proverStopsWhenAsked() throws {
        let none = try SprintProver.run(work: work, epochSeed: seed, publicKey: key, noncesMax: 100,
                                        shouldStop: { true })
        #expect(none.count == 0)
        var calls = 0
        let some = try SprintProver.run(work: work, epochSeed: seed, publicKey: key, noncesMax: 100, shouldStop: {
            calls += 1
            return calls > 4
        })
        let four = try commit(4)
        #expect(some == four)
    }

    @Test("an engine error during the run propagates")
    func proverPropagatesErrors() {
        #expect(throws: WorkFailed.self) {
            try SprintProver.run(work: FailingWork(failAt: 2), epochSeed: seed, publicKey: key, noncesMax: 5,
                                 shouldStop: { false })
        }
    }

    @Test("honest proofs of sampled nonces pass, in any order, and extra proofs are ignored")
    func honestProofsPass() throws {
        for n: UInt64 in [1, 2, 3, 7, 8, 33] {
            let c = try commit(n)
            let sampled = Array(Set([0, n / 2, n - 1])).sorted()
            let proofs = try #require(SprintProver.proofs(c, nonces: sampled))
            #expect(try check(c, sampled: sampled, proofs: proofs), "n \(n)")
            #expect(try check(c, sampled: sampled, proofs: proofs.reversed()), "n \(n)")
            let all = try #require(SprintProver.proofs(c, nonces: Array(0..<n)))
            #expect(try check(c, sampled: sampled, proofs: all), "n \(n)")
            #expect(SprintProver.proof(c, nonce: n - 1) == proofs.last)
        }
        let c = try commit(5)
        #expect(SprintProver.proof(c, nonce: 5) == nil)
        #expect(SprintProver.proofs(c, nonces: [1, 5]) == nil)
        #expect(try check(c, sampled: [], proofs: []), "nothing sampled: vacuously true")
    }

    @Test("a tampered leaf fails: the recomputation or the Merkle path disagrees")
    func tamperedLeafFails() throws {
        let c = try commit(9)
        let proof = try #require(SprintProver.proof(c, nonce: 4))
        let forgedHash = Blake2b256.hash(Array("forged".utf8))
        let forged = SprintProof(nonce: 4, artifactHash: forgedHash, merkle: proof.merkle)
        #expect(try !check(c, sampled: [4], proofs: [forged]))
        // A prover that committed to a wrong leaf: the path is valid for its root, the recomputation is not.
        var leaves = c.leaves
        leaves[4] = forgedHash
        let dishonest = SprintCommitment(leaves: leaves)
        let dishonestProof = try #require(SprintProver.proof(dishonest, nonce: 4))
        #expect(try !check(dishonest, sampled: [4], proofs: [dishonestProof]))
        #expect(try check(dishonest, sampled: [3], proofs: SprintProver.proofs(dishonest, nonces: [3]) ?? []),
                "an unsampled bad leaf goes unnoticed; sampling is what catches it")
    }

    @Test("a proof for the wrong nonce, a missing proof, duplicates or another root fail")
    func wrongNonceMissingOrForeignProofsFail() throws {
        let c = try commit(9)
        let p2 = try #require(SprintProver.proof(c, nonce: 2))
        let p3 = try #require(SprintProver.proof(c, nonce: 3))
        let renumbered = SprintProof(nonce: 3, artifactHash: p2.artifactHash, merkle: p2.merkle)
        #expect(try !check(c, sampled: [3], proofs: [renumbered]))
        let moved = SprintProof(nonce: 3, artifactHash: p2.artifactHash, merkle: MerkleProof(
            leafIndex: 3, leafCount: p2.merkle.leafCount, siblings: p2.merkle.siblings))
        #expect(try !check(c, sampled: [3], proofs: [moved]))
        #expect(try !check(c, sampled: [2, 3], proofs: [p2]), "missing proof")
        #expect(try !check(c, sampled: [3], proofs: [p3, renumbered]), "two proofs for one nonce")
        #expect(try !check(c, sampled: [9], proofs: []), "nonce beyond the count")
        let other = try SprintProver.run(work: HashWork(salt: 1), epochSeed: seed, publicKey: key, noncesMax: 9,
                                         shouldStop: { false })
        let foreign = try #require(SprintProver.proof(other, nonce: 3))
        #expect(try !check(c, sampled: [3], proofs: [foreign]), "a proof from another commitment")
        #expect(try !check(c, sampled: [3], proofs: [p3], root: other.root), "a valid proof against another root")
        #expect(try !check(c, sampled: [3], proofs: [p3], count: 10), "the committed count differs")
        let otherKey = KeyPair(seed: [UInt8](repeating: 8, count: 32)).publicKey
        #expect(try !check(c, sampled: [3], proofs: [p3], participant: otherKey), "another participant's work")
    }

    @Test("a Sprint proof survives the wire, and a proof whose leaf is not its nonce is refused")
    func proofWireRoundTrip() throws {
        let c = try commit(13)
        for n: UInt64 in [0, 6, 12] {
            let proof = try #require(SprintProver.proof(c, nonce: n))
            #expect(try Wire.decode(SprintProof.self, from: Wire.encode(proof)) == proof)
        }
        var bytes = Wire.encode(try #require(SprintProver.proof(c, nonce: 6)))
        bytes[1] = 5  // nonce 6 → 5 (u64 LE right after the version byte)
        #expect(throws: WireError.self) { try Wire.decode(SprintProof.self, from: bytes) }
    }

    @Test(
        "with the real model, a 3-nonce Sprint commits and verifies on 1 and 2 threads",
        .enabled(if: proverModelPath != nil, "reference model absent: run Deploy/setup.sh")
    )
    func realModelSprint() throws {
        let file = try GGUFFile(path: try #require(proverModelPath))
        var roots: [Hash32] = []
        for threads in [1, 2] {
            let workload = SprintWorkload(model: try InferenceModel(file: file, threads: threads))
            let clock = ContinuousClock()
            var c: SprintCommitment?
            let elapsed = try clock.measure {
                c = try SprintProver.run(work: workload, epochSeed: seed, publicKey: key, noncesMax: 3,
                                         shouldStop: { false })
            }
            let commitment = try #require(c)
            print("Sprint: \(threads) thread(s): \(elapsed / 3) per nonce (3 nonces in \(elapsed))")
            #expect(commitment.count == 3)
            let proofs = try #require(SprintProver.proofs(commitment, nonces: [0, 2]))
            #expect(try SprintVerifier.check(work: workload, epochSeed: seed, participant: key, root: commitment.root,
                                             count: 3, sampled: [0, 2], proofs: proofs))
            roots.append(commitment.root)
        }
        #expect(roots[0] == roots[1], "the commitment does not depend on the thread count")
    }
}
