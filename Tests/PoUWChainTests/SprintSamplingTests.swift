import PoUWChain
import PoUWCore
import PoUWCrypto
import Testing

private func testKey(_ i: Int) -> PublicKey {
    PublicKey(Blake2b256.hash(Array("test key \(i)".utf8)).bytes)
}

@Suite struct SprintSamplingTests {
    func seed(_ i: Int) -> Hash32 { Blake2b256.hash(Array("sample seed \(i)".utf8)) }

    @Test("sampled nonces are distinct, sorted, below the count, and exactly min(samples, count) of them")
    func sampledNoncesShape() {
        for (i, (count, samples)) in [(0, 5), (3, 5), (5, 5), (6, 5), (1000, 20), (100_000, 99_999), (.max, 64)]
            .enumerated()
        {
            let out = SprintSampling.sampledNonces(sampleSeed: seed(i), participant: testKey(1), count: UInt64(count),
                                                   samples: samples)
            #expect(out.count == min(samples, count), "count \(count) samples \(samples)")
            #expect(out == out.sorted() && Set(out).count == out.count)
            #expect(out.allSatisfy { $0 < UInt64(count) })
        }
        #expect(SprintSampling.sampledNonces(sampleSeed: seed(0), participant: testKey(1), count: 4, samples: 9)
                == [0, 1, 2, 3])
        #expect(SprintSampling.sampledNonces(sampleSeed: seed(0), participant: testKey(1), count: 9, samples: 0)
                .isEmpty)
    }

    @Test("sampled nonces are a function of (seed, participant), and change with either")
    func sampledNoncesDeterministic() {
        let a = SprintSampling.sampledNonces(sampleSeed: seed(1), participant: testKey(1), count: 1 << 40, samples: 8)
        #expect(a == SprintSampling.sampledNonces(sampleSeed: seed(1), participant: testKey(1), count: 1 << 40,
                                                  samples: 8))
        #expect(a != SprintSampling.sampledNonces(sampleSeed: seed(2), participant: testKey(1), count: 1 << 40,
                                                  samples: 8))
        #expect(a != SprintSampling.sampledNonces(sampleSeed: seed(1), participant: testKey(2), count: 1 << 40,
                                                  samples: 8))
    }

    @Test("every nonce is sampled about equally often over many seeds (fixed seeds, wide bounds)")
    func sampledNoncesRoughlyUniform() {
        var hits = [Int](repeating: 0, count: 10)
        let rounds = 3000
        for i in 0..<rounds {
            for n in SprintSampling.sampledNonces(sampleSeed: seed(i), participant: testKey(3), count: 10, samples: 3) {
                hits[Int(n)] += 1
            }
        }
        // Expected 900 each (3 of 10 per round); the standard deviation is about 25.
        for h in hits { #expect((750...1050).contains(h), "hits \(hits)") }
    }

    @Test("verifiers never include the participant or zero weights, are distinct and sorted, fewer when scarce")
    func verifiersShape() {
        let weights = (0..<8).map { (key: testKey($0), weight: UInt64($0 == 5 ? 0 : $0 + 1)) }
        for i in 0..<200 {
            let participant = testKey(i % 8)
            let out = SprintSampling.verifiers(sampleSeed: seed(i), participant: participant, weights: weights,
                                               count: 3)
            #expect(out.count == 3 && !out.contains(participant) && !out.contains(testKey(5)))
            #expect(out == out.sorted() && Set(out).count == out.count)
            let all = SprintSampling.verifiers(sampleSeed: seed(i), participant: participant, weights: weights,
                                               count: 100)
            let eligible = Set((0..<8).filter { $0 != 5 && $0 != i % 8 }.map(testKey))
            #expect(Set(all) == eligible && all.count == eligible.count)
        }
        let alone = SprintSampling.verifiers(sampleSeed: seed(0), participant: testKey(0),
                                             weights: [(testKey(0), 10)], count: 4)
        #expect(alone.isEmpty)
    }

    @Test("verifiers are a function of the seed, participant and weights, not of the weights' order")
    func verifiersDeterministic() {
        let weights = (0..<20).map { (key: testKey($0), weight: UInt64(10 + $0)) }
        let a = SprintSampling.verifiers(sampleSeed: seed(4), participant: testKey(0), weights: weights, count: 5)
        #expect(a == SprintSampling.verifiers(sampleSeed: seed(4), participant: testKey(0),
                                              weights: weights.reversed(), count: 5))
        let others = (5..<25).map { SprintSampling.verifiers(sampleSeed: seed($0), participant: testKey(0),
                                                                 weights: weights, count: 5) }
        #expect(Set(others.map { $0.map(\.description).joined() }).count > 1)
    }

    @Test("a single verifier is picked in proportion to weight over many seeds (fixed seeds, wide bounds)")
    func verifiersWeighted() {
        for scale in [UInt64(1), UInt64.max / 5] {
            let weights = (1...4).map { (key: testKey($0), weight: UInt64($0) * scale) }
            var hits: [PublicKey: Int] = [:]
            let rounds = 4000
            for i in 0..<rounds {
                for v in SprintSampling.verifiers(sampleSeed: seed(i), participant: testKey(0), weights: weights,
                                                  count: 1) {
                    hits[v, default: 0] += 1
                }
            }
            // Expected 400, 800, 1200, 1600 (weight / 10 of 4000); standard deviations ≤ 31.
            for k in 1...4 {
                let expected = 400 * k
                #expect(abs((hits[testKey(k)] ?? 0) - expected) < 150, "scale \(scale): \(hits)")
            }
        }
    }

    /// Vectors from an independent Python implementation of the file comment of SprintSampling.swift
    /// (hashlib.blake2b, digest_size 32): a change here is a consensus change.
    @Test("golden vectors: sampled nonces and verifiers match the documented algorithm")
    func goldenVectors() {
        #expect(SprintSampling.sampledNonces(sampleSeed: seed(0), participant: testKey(1), count: 1000, samples: 5)
                == [105, 152, 431, 481, 503])
        #expect(SprintSampling.sampledNonces(sampleSeed: seed(0), participant: testKey(1), count: .max, samples: 3)
                == [3_461_618_223_594_624_911, 8_892_499_082_824_670_087, 12_943_558_904_366_490_896])
        let small = (0..<8).map { (key: testKey($0), weight: UInt64($0 + 1) * 10) }
        #expect(SprintSampling.verifiers(sampleSeed: seed(0), participant: testKey(0), weights: small, count: 3)
                == [2, 3, 7].map(testKey))
        let huge = (0..<8).map { (key: testKey($0), weight: UInt64.max / UInt64($0 + 2)) }
        #expect(SprintSampling.verifiers(sampleSeed: seed(1), participant: testKey(0), weights: huge, count: 4)
                == [2, 3, 6, 1].map(testKey))
    }
}
