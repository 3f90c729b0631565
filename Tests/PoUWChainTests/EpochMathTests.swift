import PoUWChain
import PoUWCore
import PoUWCrypto
import Testing

private func testKey(_ i: Int) -> PublicKey {
    PublicKey(Blake2b256.hash(Array("test key \(i)".utf8)).bytes)
}

/// Whether `part × 100 ≤ percent × total`, exactly, for a total given as a list of weights.
private func withinPercent(_ part: UInt64, of weights: [UInt64], percent: UInt64) -> Bool {
    var high: UInt64 = 0, low: UInt64 = 0
    for w in weights {
        let (sum, carry) = low.addingReportingOverflow(w)
        low = sum
        if carry { high += 1 }
    }
    let lhs = part.multipliedFullWidth(by: 100)
    let rLow = low.multipliedFullWidth(by: percent)
    let rHigh = high * percent + rLow.high
    return lhs.high < rHigh || (lhs.high == rHigh && lhs.low <= rLow.low)
}

@Suite struct EpochMathTests {
    let gonka = WeightRules(modelScale: 10, capPercent: 25, freeWeightPercent: 20, weightPerCollateralUnit: 2)
    let noCollateralNeeded = WeightRules(modelScale: 1, capPercent: 25, freeWeightPercent: 100,
                                         weightPerCollateralUnit: 0)

    func participants(_ counts: [UInt64]) -> [EpochParticipantInput] {
        counts.enumerated().map { EpochParticipantInput(key: testKey($0.offset), verifiedCount: $0.element,
                                                        bondedCollateral: 0) }
    }

    func weightsByIndex(_ out: [(key: PublicKey, weight: UInt64)], count: Int) -> [UInt64] {
        (0..<count).map { i in out.first { $0.key == testKey(i) }?.weight ?? 0 }
    }

    @Test("only the free share counts without collateral; bonded collateral backs the rest up to raw weight")
    func collateralBoundsTheBackedShare() {
        let inputs = [0, 15, 1000].enumerated().map {
            EpochParticipantInput(key: testKey($0.offset), verifiedCount: 10, bondedCollateral: UInt64($0.element))
        }
        // raw = 10 × 10 = 100, free = 20, backed = min(80, collateral × 2). Three participants: no cap.
        let out = EpochMath.nextWeights(inputs, rules: gonka)
        #expect(weightsByIndex(out, count: 3) == [20, 50, 100])
    }

    @Test("participants with zero weight are dropped and the result is sorted by key")
    func zeroWeightsDroppedAndSorted() {
        var inputs = participants([5, 0, 7, 0, 9])
        inputs.append(EpochParticipantInput(key: testKey(9), verifiedCount: 3, bondedCollateral: 0))
        let zeroScale = WeightRules(modelScale: 1, capPercent: 25, freeWeightPercent: 0, weightPerCollateralUnit: 5)
        let out = EpochMath.nextWeights(inputs, rules: zeroScale)
        #expect(out.isEmpty, "no free share and no collateral gives nobody weight")
        let free = EpochMath.nextWeights(inputs, rules: noCollateralNeeded)
        #expect(Set(free.map(\.key)) == Set([0, 2, 4, 9].map(testKey)))
        #expect(free.map(\.key) == free.map(\.key).sorted())
        #expect(free.allSatisfy { $0.weight > 0 })
    }

    @Test("worked examples of the iterative cap at 25%")
    func capWorkedExamples() {
        let a = EpochMath.nextWeights(participants([100, 10, 10, 10]), rules: noCollateralNeeded)
        #expect(weightsByIndex(a, count: 4) == [10, 10, 10, 10])
        let b = EpochMath.nextWeights(participants([1000, 500, 100, 100, 100, 100]), rules: noCollateralNeeded)
        #expect(weightsByIndex(b, count: 6) == [200, 200, 100, 100, 100, 100])
        let even = EpochMath.nextWeights(participants([7, 7, 7, 7, 7]), rules: noCollateralNeeded)
        #expect(weightsByIndex(even, count: 5) == [7, 7, 7, 7, 7], "nobody above the cap: nothing changes")
    }

    @Test("with fewer participants than the cap allows (3 at 25%) the cap is skipped")
    func capSkippedBelowFourParticipants() {
        let out = EpochMath.nextWeights(participants([1000, 1, 1]), rules: noCollateralNeeded)
        #expect(weightsByIndex(out, count: 3) == [1000, 1, 1])
        let thirty = WeightRules(modelScale: 1, capPercent: 30, freeWeightPercent: 100, weightPerCollateralUnit: 0)
        let four = EpochMath.nextWeights(participants([1000, 1, 1, 1]), rules: thirty)
        let capped = weightsByIndex(four, count: 4)
        #expect(capped[0] < 1000 && withinPercent(capped[0], of: capped, percent: 30))
    }

    @Test("property: with ≥ 4 participants every weight is ≤ cap% of the total, exactly, and nobody gains")
    func capHoldsOnSeededRandomInputs() {
        var rng = SeededGenerator(seed: 20_261_202)
        var cappedRounds = 0
        for round in 0..<500 {
            let m = Int.random(in: 1...24, using: &rng)
            let cap = [10, 20, 25, 33, 50, 100][Int.random(in: 0..<6, using: &rng)]
            let counts: [UInt64] = (0..<m).map { _ in
                switch UInt64.random(in: 0..<4, using: &rng) {
                case 0: return 0
                case 1: return UInt64.random(in: 1...10, using: &rng)
                case 2: return UInt64.random(in: 1...1_000_000, using: &rng)
                default: return UInt64.random(in: 1...(UInt64.max / 4), using: &rng)
                }
            }
            let rules = WeightRules(modelScale: UInt64.random(in: 1...1000, using: &rng), capPercent: UInt64(cap),
                                    freeWeightPercent: 100, weightPerCollateralUnit: 0)
            let before = EpochMath.nextWeights(participants(counts), rules: WeightRules(
                modelScale: rules.modelScale, capPercent: 100, freeWeightPercent: 100, weightPerCollateralUnit: 0
            ))
            let after = EpochMath.nextWeights(participants(counts), rules: rules)
            #expect(after.map(\.key) == before.map(\.key), "round \(round)")
            let weights = after.map(\.weight)
            for (b, a) in zip(before, after) { #expect(a.weight <= b.weight, "round \(round)") }
            if weights.count * cap >= 100 {
                for w in weights { #expect(withinPercent(w, of: weights, percent: UInt64(cap)), "round \(round)") }
                // Everyone reduced ends at one common level, at least as high as every unreduced weight.
                let reduced = zip(before, after).filter { $0.0.weight != $0.1.weight }.map(\.1.weight)
                #expect(Set(reduced).count <= 1, "round \(round)")
                if !reduced.isEmpty { cappedRounds += 1 }
                if let level = reduced.first { #expect(weights.allSatisfy { $0 <= level }, "round \(round)") }
            } else {
                #expect(weights == before.map(\.weight), "round \(round): below the participant floor, no cap")
            }
        }
        #expect(cappedRounds > 100, "the inputs must exercise the cap, not only pass it vacuously")
    }

    @Test("saturating arithmetic: maximal counts, scales and collateral never trap")
    func extremesSaturate() {
        let inputs = (0..<6).map {
            EpochParticipantInput(key: testKey($0), verifiedCount: .max, bondedCollateral: .max)
        }
        let rules = WeightRules(modelScale: .max, capPercent: 25, freeWeightPercent: 37, weightPerCollateralUnit: .max)
        let out = EpochMath.nextWeights(inputs, rules: rules)
        #expect(out.count == 6 && out.allSatisfy { $0.weight == .max }, "equal weights stay under the cap")
        var skewed = inputs
        skewed[0].verifiedCount = 1
        let capped = EpochMath.nextWeights(skewed, rules: rules).map(\.weight)
        for w in capped { #expect(withinPercent(w, of: capped, percent: 25)) }
    }

    @Test("the result does not depend on the input order")
    func deterministicAcrossInputOrder() {
        var rng = SeededGenerator(seed: 7)
        let inputs = (0..<12).map {
            EpochParticipantInput(key: testKey($0), verifiedCount: UInt64.random(in: 0...500, using: &rng),
                                  bondedCollateral: UInt64.random(in: 0...2000, using: &rng))
        }
        let reference = EpochMath.nextWeights(inputs, rules: gonka)
        for _ in 0..<10 {
            let shuffled = EpochMath.nextWeights(inputs.shuffled(using: &rng), rules: gonka)
            #expect(shuffled.map(\.key) == reference.map(\.key) && shuffled.map(\.weight) == reference.map(\.weight))
        }
    }

    @Test("the next seed is BLAKE2b-256 of the domain, the previous seed and the last commit hash")
    func nextSeedDefinition() {
        let previous = Blake2b256.hash(Array("seed 1".utf8))
        let commit = Blake2b256.hash(Array("commit".utf8))
        let next = EpochMath.nextSeed(previous: previous, lastCommitHash: commit)
        #expect(next == Blake2b256.hash(Array("pouw/epoch-seed/v1".utf8) + previous.bytes + commit.bytes))
        #expect(next != EpochMath.nextSeed(previous: commit, lastCommitHash: previous))
        let vector = EpochMath.nextSeed(previous: Blake2b256.hash(Array("sample seed 0".utf8)),
                                        lastCommitHash: Blake2b256.hash(Array("sample seed 1".utf8)))
        #expect(vector.description == "33e014fb2c4f9d6bb7467b380f375f572977a920cbfcee1b2535ee2609680850",
                "vector from Python's hashlib.blake2b(digest_size=32)")
        #expect(next != EpochMath.nextSeed(previous: next, lastCommitHash: commit))
    }
}
